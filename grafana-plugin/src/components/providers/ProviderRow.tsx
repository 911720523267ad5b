import React, { useState } from 'react';
import { Button, Field, Input, Stack, Switch } from '@grafana/ui';
import { toControlPlaneError } from '../../api/controlPlane';
import { deleteProvider, putProvider, type ProviderState } from '../../api/resources';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { TextField } from '../common/TextField';
import { formatCount } from '../../utils/money';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { LIMIT_KEYS, providerForm, validateProvider } from './providerForm';

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
  const [removing, setRemoving] = useState(false);
  const form = useValidatedSubmit({
    initial: () => providerForm(state),
    validate: validateProvider,
    send: (body, f) => putProvider(f.org.trim(), f.provider.trim(), body),
    onSaved: onChanged,
    // The "add" row starts over; a saved row keeps its values until the list reloads.
    resetOnSuccess: isNew,
  });
  const { values, set, errors, apiError, setApiError, submitting, submit } = form;
  const busy = submitting || removing;
  const id = `${values.org}/${values.provider}`;

  const remove = async () => {
    setRemoving(true);
    try {
      await deleteProvider(state!.org, state!.provider);
      onChanged();
    } catch (e) {
      setApiError(toControlPlaneError(e));
      setRemoving(false);
    }
  };

  return (
    <div data-testid={`provider-row-${isNew ? 'new' : id}`}>
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        {isNew ? (
          <>
            <TextField form={form} field="org" label="Organisation" width={14} />
            <TextField form={form} field="provider" label="Provider" width={16} />
          </>
        ) : (
          <Field label="Provider">
            <strong style={{ display: 'block', minWidth: 120, paddingTop: 6 }}>{state.provider}</strong>
          </Field>
        )}
        <Field label="Enabled">
          <Switch
            aria-label={`Enabled ${id}`}
            value={values.enabled}
            disabled={!writable}
            onChange={(e) => set('enabled', e.currentTarget.checked)}
          />
        </Field>
        <TextField
          form={form}
          field="priority"
          label="Priority"
          description="0 = tried first"
          inputLabel={`Priority ${id}`}
          width={10}
          disabled={!writable}
        />
        {LIMIT_KEYS.map((k) => (
          <Field key={k} label={LIMIT_LABEL[k]} invalid={!!errors[k]} error={errors[k]}>
            <Input
              aria-label={`${LIMIT_LABEL[k]} ${id}`}
              width={14}
              placeholder="no limit"
              value={values.limits[k]}
              disabled={!writable}
              onChange={(e) => set('limits', { ...values.limits, [k]: e.currentTarget.value })}
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
              onClick={() => void submit()}
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
