import React, { useState } from 'react';
import { Alert, Button, Stack } from '@grafana/ui';
import { reprice } from '../../api/resources';
import { formatUsd } from '../../utils/money';
import { useValidatedSubmit } from '../../utils/useValidatedSubmit';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { TextField } from '../common/TextField';
import { testIds } from '../testIds';
import { validateReprice } from './priceForm';

/** Re-prices the ledger records of [from, to) with today's table; the reason is audited. */
export function RepriceForm() {
  const [result, setResult] = useState<{ records: number; changed: number; cost_delta_usd: string }>();
  const form = useValidatedSubmit({
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
  const { apiError, submitting, onSubmit } = form;

  return (
    <form data-testid={testIds.pricing.reprice} onSubmit={onSubmit}>
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        <TextField form={form} field="from" label="From" inputLabel="Re-price from" placeholder="2026-01-01" />
        <TextField form={form} field="to" label="To (exclusive)" inputLabel="Re-price to" placeholder="2026-02-01" />
        <TextField form={form} field="reason" label="Reason (audited)" inputLabel="Re-price reason" width={40} />
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
