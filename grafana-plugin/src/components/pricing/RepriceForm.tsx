import React, { useState } from 'react';
import { Alert, Button, Field, Input, Stack } from '@grafana/ui';
import { reprice } from '../../api/resources';
import { formatUsd } from '../../utils/money';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { testIds } from '../testIds';
import { validateReprice } from './priceForm';

/** Re-prices the ledger records of [from, to) with today's table; the reason is audited. */
export function RepriceForm() {
  const [result, setResult] = useState<{ records: number; changed: number; cost_delta_usd: string }>();
  const { values, set, errors, apiError, submitting, onSubmit } = useValidatedSubmit({
    initial: { from: '', to: '', reason: '' },
    validate: (r) => {
      const check = validateReprice(r);
      return check.ok ? { ok: true, body: { from: r.from.trim(), to: r.to.trim(), reason: r.reason.trim() } } : check;
    },
    send: (body) => {
      setResult(undefined);
      return reprice(body);
    },
    onSaved: setResult,
    // The range and reason stay beside the result they produced.
    resetOnSuccess: false,
  });

  return (
    <form data-testid={testIds.pricing.reprice} onSubmit={onSubmit}>
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        <Field label="From" invalid={!!errors.from} error={errors.from}>
          <Input
            aria-label="Re-price from"
            placeholder="2026-01-01"
            value={values.from}
            onChange={(e) => set('from', e.currentTarget.value)}
          />
        </Field>
        <Field label="To (exclusive)" invalid={!!errors.to} error={errors.to}>
          <Input
            aria-label="Re-price to"
            placeholder="2026-02-01"
            value={values.to}
            onChange={(e) => set('to', e.currentTarget.value)}
          />
        </Field>
        <Field label="Reason (audited)" invalid={!!errors.reason} error={errors.reason}>
          <Input
            aria-label="Re-price reason"
            width={40}
            value={values.reason}
            onChange={(e) => set('reason', e.currentTarget.value)}
          />
        </Field>
        <Button type="submit" variant="destructive" disabled={submitting} style={{ marginTop: 22 }}>
          Re-price
        </Button>
      </Stack>
      {result && (
        <Alert severity="success" title="Re-priced">
          {result.records} records checked, {result.changed} changed, cost change {formatUsd(result.cost_delta_usd, 6)}.
        </Alert>
      )}
      {apiError && <ApiErrorAlert error={apiError} title="Re-pricing refused" />}
    </form>
  );
}
