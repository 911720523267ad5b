import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Button, ConfirmModal, EmptyState, Stack } from '@grafana/ui';
import {
  deleteBudget,
  deleteQuota,
  listBudgets,
  listQuotas,
  type Budget,
  type Quota,
  type QuotaStatus,
} from '../api/resources';
import { ApiErrorAlert } from '../components/common/ApiErrorAlert';
import { DataTable, type ColumnDef } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { UtilizationBar } from '../components/common/UtilizationBar';
import { canWrite, useSettings } from '../components/common/settings';
import { QuotaFormModal } from '../components/quotas/QuotaFormModal';
import { emptyForm, formFromBudget, formFromQuota, type QuotaFormValues } from '../components/quotas/quotaForm';
import { testIds } from '../components/testIds';
import { formatCount, formatUsd } from '../utils/money';
import { formatTime } from '../utils/time';
import { useApi } from '../utils/useApi';
import { useConfirmedDelete } from '../utils/useConfirmedDelete';

/** The most used window of a quota (a `*` quota has one per subject). */
export function topWindow(status: QuotaStatus | undefined) {
  return [...(status?.windows ?? [])].sort((a, b) => b.utilization - a.utilization)[0];
}

function Usage({ status }: { status?: QuotaStatus }) {
  const w = topWindow(status);
  if (!w) {
    return <span>no usage this period</span>;
  }
  const used =
    status!.metric === 'cost'
      ? `${formatUsd(w.usage_usd)} of ${formatUsd(w.limit_usd)}`
      : `${formatCount(w.usage)} of ${formatCount(w.limit)}`;
  return (
    <div>
      <UtilizationBar ratio={w.utilization} />
      <small>
        {status!.windows.length > 1 ? `${w.subject}: ` : ''}
        {used}
      </small>
    </div>
  );
}

interface Editing {
  values: QuotaFormValues;
  existing: boolean;
}

function Quotas() {
  const { tz } = useSettings();
  const writable = canWrite();
  const quotas = useApi(listQuotas, []);
  const budgets = useApi(listBudgets, []);
  const [editing, setEditing] = useState<Editing>();

  const reload = () => {
    quotas.reload();
    budgets.reload();
  };
  const deletion = useConfirmedDelete(
    (d: { kind: 'quota' | 'budget'; id: string }) => (d.kind === 'quota' ? deleteQuota(d.id) : deleteBudget(d.id)),
    reload
  );

  const actions = <T,>(kind: 'quota' | 'budget', row: T & { id: string }, toForm: (r: T) => QuotaFormValues) =>
    writable ? (
      <Stack gap={1}>
        <Button
          size="sm"
          variant="secondary"
          icon="pen"
          aria-label={`Edit ${row.id}`}
          onClick={() => setEditing({ values: toForm(row), existing: true })}
        />
        <Button
          size="sm"
          variant="destructive"
          icon="trash-alt"
          aria-label={`Delete ${row.id}`}
          onClick={() => deletion.ask({ kind, id: row.id })}
        />
      </Stack>
    ) : null;

  const quotaColumns: Array<ColumnDef<Quota>> = [
    { id: 'id', header: 'Quota', render: (q) => q.name ?? q.id, compare: (a, b) => a.id.localeCompare(b.id) },
    {
      id: 'scope',
      header: 'Scope / subject',
      render: (q) => `${q.scope}: ${q.subject}${q.org ? ` (org ${q.org})` : ''}`,
    },
    {
      id: 'limit',
      header: 'Limit',
      numeric: true,
      render: (q) => (q.metric === 'cost' ? `$${q.limit}` : `${formatCount(q.limit)} ${q.metric}`),
    },
    { id: 'period', header: 'Period', render: (q) => `${q.period} (${q.timezone})` },
    { id: 'enforcement', header: 'Enforcement', render: (q) => q.enforcement },
    {
      id: 'usage',
      header: 'Utilisation now',
      render: (q) => <Usage status={q.status} />,
      compare: (a, b) => (topWindow(a.status)?.utilization ?? 0) - (topWindow(b.status)?.utilization ?? 0),
    },
    { id: 'reset', header: 'Resets', render: (q) => formatTime(topWindow(q.status)?.next_reset, q.timezone) },
    { id: 'actions', header: '', render: (q) => actions('quota', q, formFromQuota) },
  ];
  const budgetColumns: Array<ColumnDef<Budget>> = [
    { id: 'id', header: 'Budget', render: (b) => b.name ?? b.id, compare: (a, b) => a.id.localeCompare(b.id) },
    {
      id: 'scope',
      header: 'Scope / subject',
      render: (b) => `${b.scope}: ${b.subject}${b.org ? ` (org ${b.org})` : ''}`,
    },
    { id: 'amount', header: 'Amount', numeric: true, render: (b) => `$${b.amount}` },
    { id: 'period', header: 'Period', render: (b) => `${b.period} (${b.timezone})` },
    {
      id: 'usage',
      header: 'Utilisation now',
      render: (b) => <Usage status={b.status} />,
      compare: (a, b) => (topWindow(a.status)?.utilization ?? 0) - (topWindow(b.status)?.utilization ?? 0),
    },
    { id: 'actions', header: '', render: (b) => actions('budget', b, formFromBudget) },
  ];

  return (
    <PluginPage>
      <div data-testid={testIds.quotas.container}>
        {deletion.error && <ApiErrorAlert error={deletion.error} title="Delete refused" />}
        <Section
          title="Quotas"
          actions={
            writable && (
              <Button
                icon="plus"
                data-testid={testIds.quotas.create}
                onClick={() => setEditing({ values: emptyForm('quota', tz), existing: false })}
              >
                New quota
              </Button>
            )
          }
        >
          <Loadable
            state={quotas}
            what="quotas"
            isEmpty={(d) => d.length === 0}
            empty={
              <EmptyState
                variant="call-to-action"
                hideImage
                message="No quotas yet: a quota limits cost, tokens or requests per period and can block at 100 %."
              />
            }
          >
            {(rows) => (
              <DataTable
                columns={quotaColumns}
                rows={rows}
                rowKey={(q) => q.id}
                testId={testIds.quotas.table}
                rowTestId={(q) => `quota-row-${q.id}`}
              />
            )}
          </Loadable>
        </Section>
        <Section
          title="Budgets"
          actions={
            writable && (
              <Button
                icon="plus"
                variant="secondary"
                data-testid={testIds.quotas.createBudget}
                onClick={() => setEditing({ values: emptyForm('budget', tz), existing: false })}
              >
                New budget
              </Button>
            )
          }
        >
          <Loadable
            state={budgets}
            what="budgets"
            isEmpty={(d) => d.length === 0}
            empty={
              <EmptyState
                variant="call-to-action"
                hideImage
                message="No budgets yet: a budget is a soft cost limit that alerts at its thresholds."
              />
            }
          >
            {(rows) => (
              <DataTable
                columns={budgetColumns}
                rows={rows}
                rowKey={(b) => b.id}
                testId={testIds.quotas.budgets}
                rowTestId={(b) => `budget-row-${b.id}`}
              />
            )}
          </Loadable>
        </Section>
      </div>
      {editing && (
        <QuotaFormModal
          initial={editing.values}
          editing={editing.existing}
          onDismiss={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            reload();
          }}
        />
      )}
      {deletion.target && (
        <ConfirmModal
          isOpen
          title={`Delete ${deletion.target.kind} ${deletion.target.id}?`}
          body={deletion.target.kind === 'quota' ? 'Its blocks are lifted at once.' : 'Its alerts stop.'}
          confirmText="Delete"
          onConfirm={() => void deletion.confirm()}
          onDismiss={deletion.dismiss}
        />
      )}
    </PluginPage>
  );
}

export default Quotas;
