import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Field, IconButton, Input, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';
import { SHARED_METHODS, getAllocation, type SharedMethod } from '../api/analytics';
import { toControlPlaneError, type ControlPlaneError } from '../api/controlPlane';
import { runReport, saveFile, type ReportFormat } from '../api/reports';
import { allocationTree, visibleNodes } from '../components/allocation/allocationTree';
import { ApiErrorAlert } from '../components/common/ApiErrorAlert';
import { DataTable } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { useSettings } from '../components/common/settings';
import { testIds } from '../components/testIds';
import { formatCount, formatUsd } from '../utils/money';
import { currentMonth } from '../utils/time';
import { useApi } from '../utils/useApi';

const SHARED_LABEL: Record<SharedMethod, string> = {
  even: 'Evenly',
  proportional: 'In proportion to direct spend',
  weights: 'By stored weights',
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function Allocation() {
  const s = useStyles2(getStyles);
  const { tz } = useSettings();
  const month = currentMonth();
  const [from, setFrom] = useState(month.from);
  const [to, setTo] = useState(month.to);
  const [shared, setShared] = useState<SharedMethod>('proportional');
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [exportError, setExportError] = useState<ControlPlaneError>();
  const [exporting, setExporting] = useState<ReportFormat>();
  const validRange = DATE.test(from) && DATE.test(to) && from < to;
  const state = useApi(
    () => (validRange ? getAllocation({ from, to, shared, tz }) : Promise.resolve(null)),
    [from, to, shared, tz, validRange]
  );

  const toggle = (key: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      next.has(key) ? next.delete(key) : next.add(key);
      return next;
    });

  const exportAs = async (format: ReportFormat) => {
    setExportError(undefined);
    setExporting(format);
    try {
      const { blob, filename } = await runReport({
        kind: 'chargeback',
        format,
        period: { from, to },
        timezone: tz,
        shared,
      });
      saveFile(blob, filename);
    } catch (e) {
      setExportError(toControlPlaneError(e));
    } finally {
      setExporting(undefined);
    }
  };

  return (
    <PluginPage>
      <div data-testid={testIds.allocation.container}>
        <Stack gap={2} alignItems="flex-end" wrap="wrap">
          <Field label="From">
            <Input aria-label="From" width={16} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          </Field>
          <Field label="To (exclusive)">
            <Input aria-label="To" width={16} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          </Field>
          <Field label="Shared and unattributed spend" data-testid={testIds.allocation.shared}>
            <RadioButtonGroup
              options={SHARED_METHODS.map((m) => ({ label: SHARED_LABEL[m], value: m }))}
              value={shared}
              onChange={setShared}
            />
          </Field>
        </Stack>
        <Section
          title="Chargeback"
          actions={
            <>
              {(['csv', 'pdf', 'focus'] as const).map((f) => (
                <Button
                  key={f}
                  size="sm"
                  variant="secondary"
                  icon="download-alt"
                  disabled={!!exporting}
                  onClick={() => void exportAs(f)}
                >
                  {f === 'focus' ? 'FOCUS' : f.toUpperCase()}
                </Button>
              ))}
            </>
          }
        >
          {exportError && <ApiErrorAlert error={exportError} title="Export failed" />}
          {!validRange && <Alert severity="warning" title='Enter a period: two dates YYYY-MM-DD, "from" before "to"' />}
          <Loadable state={state} what="the allocation" isEmpty={(d) => d !== null && d.rows.length === 0}>
            {(a) => {
              if (a === null) {
                return null;
              }
              const roots = allocationTree(a.rows);
              const rows = visibleNodes(roots, expanded);
              return (
                <>
                  <div data-testid={testIds.allocation.reconciliation}>
                    <Alert
                      severity={a.reconciliation.reconciled ? 'success' : 'error'}
                      title={
                        a.reconciliation.reconciled
                          ? 'Reconciled with the ledger'
                          : 'Does not reconcile with the ledger'
                      }
                    >
                      Ledger total {formatUsd(a.reconciliation.ledger_total_usd, 6)} · allocated{' '}
                      {formatUsd(a.reconciliation.allocated_total_usd, 6)} · difference{' '}
                      {formatUsd(a.reconciliation.difference_usd, 6)}
                    </Alert>
                  </div>
                  <DataTable
                    testId={testIds.allocation.table}
                    rowKey={(n) => n.key}
                    rows={rows}
                    columns={[
                      {
                        id: 'name',
                        header: a.levels.join(' → '),
                        render: (n) => (
                          <span className={s.indent} style={{ paddingLeft: n.depth * 20 }}>
                            {n.children.length > 0 ? (
                              <IconButton
                                name={expanded.has(n.key) ? 'angle-down' : 'angle-right'}
                                aria-label={`${expanded.has(n.key) ? 'Collapse' : 'Expand'} ${n.name}`}
                                onClick={() => toggle(n.key)}
                              />
                            ) : (
                              <span className={s.leaf} />
                            )}
                            {n.name} <small className={s.level}>{a.levels[n.depth]}</small>
                          </span>
                        ),
                      },
                      { id: 'direct', header: 'Direct', numeric: true, render: (n) => formatUsd(n.row.direct_usd) },
                      {
                        id: 'shared',
                        header: 'Shared received',
                        numeric: true,
                        render: (n) => formatUsd(n.row.shared_usd),
                      },
                      { id: 'total', header: 'Total', numeric: true, render: (n) => formatUsd(n.row.total_usd) },
                      { id: 'requests', header: 'Requests', numeric: true, render: (n) => formatCount(n.row.requests) },
                      { id: 'tokens', header: 'Tokens', numeric: true, render: (n) => formatCount(n.row.tokens) },
                    ]}
                  />
                </>
              );
            }}
          </Loadable>
        </Section>
      </div>
    </PluginPage>
  );
}

export default Allocation;

const getStyles = (theme: GrafanaTheme2) => ({
  indent: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  leaf: css({ display: 'inline-block', width: 20 }),
  level: css({ color: theme.colors.text.secondary }),
});
