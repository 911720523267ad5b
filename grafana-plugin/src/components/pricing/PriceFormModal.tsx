import React from 'react';
import { Button, Field, Input, Modal, RadioButtonGroup, Stack } from '@grafana/ui';
import { createPrice, replacePrice } from '../../api/resources';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { TextField } from '../common/TextField';
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
  const form = useValidatedSubmit({
    initial,
    validate: validatePrice,
    send: (body, f) => (editing ? replacePrice(f.id, body) : createPrice(body)),
    onSaved,
  });
  const { values, set, errors, apiError, submitting, onSubmit } = form;

  return (
    <Modal title={editing ? `Edit price ${values.id}` : 'New price entry'} isOpen onDismiss={onDismiss}>
      <form onSubmit={onSubmit}>
        <Stack gap={2}>
          <TextField form={form} field="provider" label="Provider" />
          <TextField form={form} field="model_pattern" label="Model" />
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
          <TextField form={form} field="effective_from" label="Effective from" />
          <TextField form={form} field="effective_to" label="Effective to" description="Optional" />
          <TextField form={form} field="org" label="Organisation" description="Optional: override for one org" />
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
