import React, { useState } from 'react';
import { Alert, Button, Field, Input, Stack } from '@grafana/ui';
import { toControlPlaneError, type ControlPlaneError } from '../../api/controlPlane';
import { reprice } from '../../api/resources';
import { formatUsd } from '../../utils/money';
import { ApiErrorAlert } from '../common/ApiErrorAlert';
import { testIds } from '../testIds';
import { validateReprice, type RepriceValues } from './priceForm';

/** Re-prices the ledger records of [from, to) with today's table; the reason is audited. */
export function RepriceForm() {
  const [v, setV] = useState<RepriceValues>({ from: '', to: '', reason: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof RepriceValues, string>>>({});
  const [result, setResult] = useState<{ records: number; changed: number; cost_delta_usd: string }>();
  const [apiError, setApiError] = useState<ControlPlaneError>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    const check = validateReprice(v);
    setErrors(check.ok ? {} : check.errors);
    if (!check.ok) {
      return;
    }
    setBusy(true);
    setApiError(undefined);
    setResult(undefined);
    try {
      setResult(await reprice({ from: v.from.trim(), to: v.to.trim(), reason: v.reason.trim() }));
    } catch (e) {
      setApiError(toControlPlaneError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      data-testid={testIds.pricing.reprice}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <Stack gap={2} alignItems="flex-start" wrap="wrap">
        <Field label="From" invalid={!!errors.from} error={errors.from}>
          <Input
            aria-label="Re-price from"
            placeholder="2026-01-01"
            value={v.from}
            onChange={(e) => setV({ ...v, from: e.currentTarget.value })}
          />
        </Field>
        <Field label="To (exclusive)" invalid={!!errors.to} error={errors.to}>
          <Input
            aria-label="Re-price to"
            placeholder="2026-02-01"
            value={v.to}
            onChange={(e) => setV({ ...v, to: e.currentTarget.value })}
          />
        </Field>
        <Field label="Reason (audited)" invalid={!!errors.reason} error={errors.reason}>
          <Input
            aria-label="Re-price reason"
            width={40}
            value={v.reason}
            onChange={(e) => setV({ ...v, reason: e.currentTarget.value })}
          />
        </Field>
        <Button type="submit" variant="destructive" disabled={busy} style={{ marginTop: 22 }}>
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
