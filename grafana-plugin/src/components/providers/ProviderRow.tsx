import React, { useState } from 'react';
import { Button, Field, Input, Stack, Switch } from '@grafana/ui';
import { toControlPlaneError, type ControlPlaneError } from '../../api/controlPlane';
import { deleteProvider, putProvider, type ProviderState } from '../../api/resources';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { formatCount } from '../../utils/money';
import { LIMIT_KEYS, providerForm, validateProvider, type ProviderErrors } from './providerForm';

const LIMIT_LABEL: Record<(typeof LIMIT_KEYS)[number], string> = {
  hourly_requests: 'Requests / hour',
  daily_requests: 'Requests / day',
  hourly_tokens: 'Tokens / hour',
  daily_tokens: 'Tokens / day',
};

/** One provider of one organisation: enabled, priority, limits, and the exact usage of this hour and day. */
export function ProviderRow({
  state,
  writable,
  onChanged,
}: {
  state?: ProviderState;
  writable: boolean;
  onChanged: () => void;
}) {
  const isNew = !state;
  const [form, setForm] = useState(() => providerForm(state));
  const [errors, setErrors] = useState<ProviderErrors>({});
  const [apiError, setApiError] = useState<ControlPlaneError>();
  const [busy, setBusy] = useState(false);
  const id = `${form.org}/${form.provider}`;

  const save = async () => {
    const v = validateProvider(form);
    if (!v.ok) {
      setErrors(v.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setApiError(undefined);
    try {
      await putProvider(form.org.trim(), form.provider.trim(), v.body);
      onChanged();
      if (isNew) {
        setForm(providerForm());
      }
    } catch (e) {
      setApiError(toControlPlaneError(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await deleteProvider(state!.org, state!.provider);
      onChanged();
    } catch (e) {
      setApiError(toControlPlaneError(e));
      setBusy(false);
    }
  };

  return (
    <div data-testid={`provider-row-${isNew ? 'new' : id}`}>
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        {isNew ? (
          <>
            <Field label="Organisation" invalid={!!errors.org} error={errors.org}>
              <Input
                aria-label="Organisation"
                width={14}
                value={form.org}
                onChange={(e) => setForm({ ...form, org: e.currentTarget.value })}
              />
            </Field>
            <Field label="Provider" invalid={!!errors.provider} error={errors.provider}>
              <Input
                aria-label="Provider"
                width={16}
                value={form.provider}
                onChange={(e) => setForm({ ...form, provider: e.currentTarget.value })}
              />
            </Field>
          </>
        ) : (
          <Field label="Provider">
            <strong style={{ display: 'block', minWidth: 120, paddingTop: 6 }}>{state.provider}</strong>
          </Field>
        )}
        <Field label="Enabled">
          <Switch
            aria-label={`Enabled ${id}`}
            value={form.enabled}
            disabled={!writable}
            onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })}
          />
        </Field>
        <Field label="Priority" description="0 = tried first" invalid={!!errors.priority} error={errors.priority}>
          <Input
            aria-label={`Priority ${id}`}
            width={10}
            value={form.priority}
            disabled={!writable}
            onChange={(e) => setForm({ ...form, priority: e.currentTarget.value })}
          />
        </Field>
        {LIMIT_KEYS.map((k) => (
          <Field key={k} label={LIMIT_LABEL[k]} invalid={!!errors[k]} error={errors[k]}>
            <Input
              aria-label={`${LIMIT_LABEL[k]} ${id}`}
              width={14}
              placeholder="no limit"
              value={form.limits[k]}
              disabled={!writable}
              onChange={(e) => setForm({ ...form, limits: { ...form.limits, [k]: e.currentTarget.value } })}
            />
          </Field>
        ))}
        {state?.usage && (
          <Field label="Used this hour / day">
            <span style={{ display: 'block', paddingTop: 6 }}>
              {formatCount(state.usage.hour_requests)} req, {formatCount(state.usage.hour_tokens)} tok /{' '}
              {formatCount(state.usage.day_requests)} req, {formatCount(state.usage.day_tokens)} tok
            </span>
          </Field>
        )}
        {writable && (
          <Stack gap={1}>
            <Button
              aria-label={isNew ? 'Add provider' : `Save ${id}`}
              icon={isNew ? 'plus' : 'save'}
              disabled={busy}
              onClick={() => void save()}
            >
              {isNew ? 'Add' : 'Save'}
            </Button>
            {!isNew && (
              <Button
                aria-label={`Remove ${id}`}
                variant="destructive"
                icon="trash-alt"
                disabled={busy}
                onClick={() => void remove()}
              />
            )}
          </Stack>
        )}
      </Stack>
      {apiError && <ApiErrorAlert error={apiError} title="The control plane refused this" />}
    </div>
  );
}
