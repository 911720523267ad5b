import React from 'react';
import { Button, Field, Input, Modal, RadioButtonGroup, Stack } from '@grafana/ui';
import { createPrice, replacePrice } from '../../api/resources';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { RATE_KEYS, validatePrice, type PriceFormValues } from './priceForm';

/** Add or edit an admin price entry (global, or an org override). */
export function PriceFormModal({
  initial,
  editing,
  onSaved,
  onDismiss,
}: {
  initial: PriceFormValues;
  editing: boolean;
  onSaved: () => void;
  onDismiss: () => void;
}) {
  const { values, set, errors, apiError, submitting, onSubmit } = useValidatedSubmit({
    initial,
    validate: validatePrice,
    send: (body, f) => (editing ? replacePrice(f.id, body) : createPrice(body)),
    onSaved,
  });

  return (
    <Modal title={editing ? `Edit price ${values.id}` : 'New price entry'} isOpen onDismiss={onDismiss}>
      <form onSubmit={onSubmit}>
        <Stack gap={2}>
          <Field label="Provider" invalid={!!errors.provider} error={errors.provider}>
            <Input
              aria-label="Provider"
              value={values.provider}
              onChange={(e) => set('provider', e.currentTarget.value)}
            />
          </Field>
          <Field label="Model" invalid={!!errors.model_pattern} error={errors.model_pattern}>
            <Input
              aria-label="Model"
              value={values.model_pattern}
              onChange={(e) => set('model_pattern', e.currentTarget.value)}
            />
          </Field>
          <Field label="Match">
            <RadioButtonGroup
              options={[
                { label: 'exact', value: 'exact' as const },
                { label: 'regex', value: 'regex' as const },
              ]}
              value={values.match}
              onChange={(v) => set('match', v)}
            />
          </Field>
        </Stack>
        <Stack gap={2}>
          <Field label="Effective from" invalid={!!errors.effective_from} error={errors.effective_from}>
            <Input
              aria-label="Effective from"
              value={values.effective_from}
              onChange={(e) => set('effective_from', e.currentTarget.value)}
            />
          </Field>
          <Field
            label="Effective to"
            description="Optional"
            invalid={!!errors.effective_to}
            error={errors.effective_to}
          >
            <Input
              aria-label="Effective to"
              value={values.effective_to}
              onChange={(e) => set('effective_to', e.currentTarget.value)}
            />
          </Field>
          <Field
            label="Organisation"
            description="Optional: override for one org"
            invalid={!!errors.org}
            error={errors.org}
          >
            <Input aria-label="Organisation" value={values.org} onChange={(e) => set('org', e.currentTarget.value)} />
          </Field>
        </Stack>
        <Stack gap={2} wrap="wrap">
          {RATE_KEYS.map((k) => (
            <Field key={k} label={`${k.replace('_', ' ')} ($/M)`} invalid={!!errors[k]} error={errors[k]}>
              <Input
                aria-label={`Rate ${k}`}
                width={14}
                value={values.rates[k]}
                onChange={(e) => set('rates', { ...values.rates, [k]: e.currentTarget.value })}
              />
            </Field>
          ))}
        </Stack>
        <Field label="Notes">
          <Input aria-label="Notes" value={values.notes} onChange={(e) => set('notes', e.currentTarget.value)} />
        </Field>
        {apiError && <ApiErrorAlert error={apiError} title="The control plane refused this" />}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            Cancel
          </Button>
          <Button type="submit" disabled={submitting}>
            Save
          </Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}
