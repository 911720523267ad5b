import React, { useState } from 'react';
import { Alert, Button, Field, Modal, RadioButtonGroup, Stack } from '@grafana/ui';
import { getQuotaSuggestions } from '../../api/analytics';
import { toControlPlaneError } from '../../api/controlPlane';
import {
  QUOTA_METRICS,
  QUOTA_PERIODS,
  QUOTA_SCOPES,
  createBudget,
  createQuota,
  replaceBudget,
  replaceQuota,
} from '../../api/resources';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { TextField } from '../common/TextField';
import { testIds } from '../testIds';
import { formatCount, formatUsd } from '../../utils/money';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { validateQuotaForm, type QuotaFormValues } from './quotaForm';

interface Props {
  initial: QuotaFormValues;
  /** Editing an existing quota/budget (its id is fixed). */
  editing: boolean;
  onSaved: () => void;
  onDismiss: () => void;
}

const opts = <T extends string>(values: readonly T[]) => values.map((v) => ({ label: v, value: v }));

/** Create or edit a quota or budget: validated here first, then the API's answer shown as it is. */
export function QuotaFormModal({ initial, editing, onSaved, onDismiss }: Props) {
  const [suggestion, setSuggestion] = useState<string>();
  const form = useValidatedSubmit({
    initial,
    validate: (f) => {
      const v = validateQuotaForm(f);
      return v.ok ? { ok: true, body: v } : v;
    },
    send: async ({ kind, value }, f) => {
      if (kind === 'quota') {
        await (editing ? replaceQuota(f.id, value) : createQuota(value));
      } else {
        await (editing ? replaceBudget(f.id, value) : createBudget(value));
      }
    },
    onSaved,
    // The API's name for a budget's limit.
    aliases: { amount: 'limit' },
  });
  const { values, set, errors, apiError, setApiError, submitting, onSubmit } = form;
  const isBudget = values.kind === 'budget';
  const metric = isBudget ? 'cost' : values.metric;

  const suggest = async () => {
    setApiError(undefined);
    setSuggestion(undefined);
    try {
      const list = await getQuotaSuggestions({
        scope: values.scope,
        metric,
        period: values.period,
        subject: values.subject.trim() || undefined,
      });
      const match = list.find((s) => s.subject === values.subject.trim()) ?? (list.length === 1 ? list[0] : undefined);
      if (!match) {
        setSuggestion(`No baseline for ${values.scope} "${values.subject}" yet (the suggestion needs usage history).`);
        return;
      }
      set('limit', String(match.suggested_limit));
      const b = match.baseline;
      const cost = match.suggested_limit_usd !== undefined;
      const shown = (usd: string | undefined, n: number | undefined) => (cost ? formatUsd(usd) : formatCount(n));
      setSuggestion(
        `Suggested ${cost ? formatUsd(match.suggested_limit_usd) : formatCount(match.suggested_limit)} from the last ${b?.days ?? 30} days` +
          (b
            ? ` (per ${match.period}: median ${shown(b.p50_usd, b.p50)}, p95 ${shown(b.p95_usd, b.p95)}, max ${shown(b.max_usd, b.max)})`
            : '') +
          (match.crossing_rate !== undefined
            ? `; it would have been crossed in ${(match.crossing_rate * 100).toFixed(0)} % of periods.`
            : '.')
      );
    } catch (e) {
      setApiError(toControlPlaneError(e));
    }
  };

  const title = `${editing ? 'Edit' : 'New'} ${isBudget ? 'budget' : 'quota'}`;
  return (
    <Modal title={title} isOpen onDismiss={onDismiss}>
      <form data-testid={testIds.quotas.form} onSubmit={onSubmit}>
        <TextField
          form={form}
          field="id"
          label="Id"
          description={isBudget ? 'Optional; starts with "budget-"' : 'Optional; generated when empty'}
          disabled={editing}
        />
        <TextField form={form} field="name" label="Name" />
        <Field label="Scope" invalid={!!errors.scope} error={errors.scope}>
          <RadioButtonGroup options={opts(QUOTA_SCOPES)} value={values.scope} onChange={(v) => set('scope', v)} />
        </Field>
        <TextField
          form={form}
          field="subject"
          label="Subject"
          description='One name, or "*" for each subject of the scope'
        />
        <Stack gap={2}>
          {!isBudget && (
            <Field label="Metric" invalid={!!errors.metric} error={errors.metric}>
              <RadioButtonGroup
                options={opts(QUOTA_METRICS)}
                value={values.metric}
                onChange={(v) => set('metric', v)}
              />
            </Field>
          )}
          <Field label="Period" invalid={!!errors.period} error={errors.period}>
            <RadioButtonGroup options={opts(QUOTA_PERIODS)} value={values.period} onChange={(v) => set('period', v)} />
          </Field>
        </Stack>
        <Stack gap={2}>
          <TextField
            form={form}
            field="limit"
            label={metric === 'cost' ? 'Limit (USD)' : `Limit (${metric})`}
            inputLabel="Limit"
          />
          <TextField form={form} field="timezone" label="Time zone" description="Periods reset at midnight here" />
          <div style={{ alignSelf: 'flex-end', marginBottom: 16 }}>
            <Button
              type="button"
              variant="secondary"
              icon="bolt"
              onClick={() => void suggest()}
              data-testid={testIds.quotas.suggest}
            >
              Suggest from baseline
            </Button>
          </div>
        </Stack>
        {suggestion && <Alert severity="info" title={suggestion} />}
        <Stack gap={2}>
          {!isBudget && (
            <Field label="Enforcement" description="Hard blocks at 100 %; soft only notifies">
              <RadioButtonGroup
                options={opts(['soft', 'hard'] as const)}
                value={values.enforcement}
                onChange={(v) => set('enforcement', v)}
              />
            </Field>
          )}
          <TextField form={form} field="thresholds" label="Alert thresholds (%)" inputLabel="Thresholds" />
          <TextField form={form} field="org" label="Organisation" description="Optional: only this org's usage" />
        </Stack>
        {apiError && <ApiErrorAlert error={apiError} title="The control plane refused this" />}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            Cancel
          </Button>
          <Button type="submit" disabled={submitting} data-testid={testIds.quotas.save}>
            {submitting ? 'Saving…' : 'Save'}
          </Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}
