import React, { useState } from 'react';
import { Button, Field, Input, Modal, RadioButtonGroup, Stack } from '@grafana/ui';
import { toControlPlaneError, type ControlPlaneError } from '../../api/controlPlane';
import { createPrice, replacePrice } from '../../api/resources';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { RATE_KEYS, validatePrice, type PriceErrors, type PriceFormValues } from './priceForm';

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
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<PriceErrors>({});
  const [apiError, setApiError] = useState<ControlPlaneError>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof PriceFormValues>(k: K, v: PriceFormValues[K]) => setForm((f) => ({ ...f, [k]: v }));

  const save = async () => {
    const v = validatePrice(form);
    if (!v.ok) {
      setErrors(v.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setApiError(undefined);
    try {
      await (editing ? replacePrice(form.id, v.body) : createPrice(v.body));
      onSaved();
    } catch (e) {
      setApiError(toControlPlaneError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={editing ? `Edit price ${form.id}` : 'New price entry'} isOpen onDismiss={onDismiss}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap={2}>
          <Field label="Provider" invalid={!!errors.provider} error={errors.provider}>
            <Input
              aria-label="Provider"
              value={form.provider}
              onChange={(e) => set('provider', e.currentTarget.value)}
            />
          </Field>
          <Field label="Model" invalid={!!errors.model_pattern} error={errors.model_pattern}>
            <Input
              aria-label="Model"
              value={form.model_pattern}
              onChange={(e) => set('model_pattern', e.currentTarget.value)}
            />
          </Field>
          <Field label="Match">
            <RadioButtonGroup
              options={[
                { label: 'exact', value: 'exact' as const },
                { label: 'regex', value: 'regex' as const },
              ]}
              value={form.match}
              onChange={(v) => set('match', v)}
            />
          </Field>
        </Stack>
        <Stack gap={2}>
          <Field label="Effective from" invalid={!!errors.effective_from} error={errors.effective_from}>
            <Input
              aria-label="Effective from"
              value={form.effective_from}
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
              value={form.effective_to}
              onChange={(e) => set('effective_to', e.currentTarget.value)}
            />
          </Field>
          <Field
            label="Organisation"
            description="Optional: override for one org"
            invalid={!!errors.org}
            error={errors.org}
          >
            <Input aria-label="Organisation" value={form.org} onChange={(e) => set('org', e.currentTarget.value)} />
          </Field>
        </Stack>
        <Stack gap={2} wrap="wrap">
          {RATE_KEYS.map((k) => (
            <Field key={k} label={`${k.replace('_', ' ')} ($/M)`} invalid={!!errors[k]} error={errors[k]}>
              <Input
                aria-label={`Rate ${k}`}
                width={14}
                value={form.rates[k]}
                onChange={(e) => set('rates', { ...form.rates, [k]: e.currentTarget.value })}
              />
            </Field>
          ))}
        </Stack>
        <Field label="Notes">
          <Input aria-label="Notes" value={form.notes} onChange={(e) => set('notes', e.currentTarget.value)} />
        </Field>
        {apiError && <ApiErrorAlert error={apiError} title="The control plane refused this" />}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            Save
          </Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}
