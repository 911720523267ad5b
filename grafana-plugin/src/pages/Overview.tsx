import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { getAnomalies, getSummary, getTop, type Anomaly, type TopRow } from '../api/analytics';
import { listBudgets, listQuotas, type QuotaStatus } from '../api/resources';
import { DataTable } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { Stat, StatRow } from '../components/common/Stat';
import { UtilizationBar } from '../components/common/UtilizationBar';
import { useSettings } from '../components/common/settings';
import { testIds } from '../components/testIds';
import { buildOverviewScene } from '../scenes/overviewScene';
import { formatCount, formatPercent, formatUsd, formatUsdAuto } from '../utils/money';
import { formatTime } from '../utils/time';
import { useApi } from '../utils/useApi';

/** One utilisation line per quota/budget subject window (from `GET /quotas|budgets?status=true`). */
export interface UtilizationLine {
  id: string;
  kind: 'quota' | 'budget';
  label: string;
  subject: string;
  usage: string;
  limit: string;
  utilization: number;
  nextReset: string;
  /** The quota's own zone: its periods reset at midnight there. */
  timezone: string;
}

function linesOf(
  kind: 'quota' | 'budget',
  id: string,
  name: string | undefined,
  status: QuotaStatus | undefined
): UtilizationLine[] {
  return (status?.windows ?? []).map((w) => ({
    id,
    kind,
    label: name ?? id,
    subject: w.subject,
    usage: status!.metric === 'cost' ? formatUsd(w.usage_usd) : formatCount(w.usage),
    limit: status!.metric === 'cost' ? formatUsd(w.limit_usd) : formatCount(w.limit),
    utilization: w.utilization,
    nextReset: w.next_reset,
    timezone: status!.timezone,
  }));
}

/** Every quota and budget window, most used first. */
export async function loadUtilization(): Promise<UtilizationLine[]> {
  const [quotas, budgets] = await Promise.all([listQuotas(), listBudgets()]);
  const lines = [
    ...quotas.flatMap((q) => linesOf('quota', q.id, q.name, q.status)),
    ...budgets.flatMap((b) => linesOf('budget', b.id, b.name, b.status)),
  ];
  return lines.sort((a, b) => b.utilization - a.utilization);
}

function Figures() {
  const { tz } = useSettings();
  const state = useApi(() => getSummary({ tz }), [tz]);
  return (
    <Section title="Spend">
      <Loadable state={state} what="today's figures">
        {(s) => (
          <StatRow>
            <Stat label="Today" value={formatUsd(s.today_usd)} hint={`in ${s.tz}`} testId={testIds.overview.today} />
            <Stat
              label="Hourly rate"
              value={formatUsd(s.hourly_rate_usd)}
              hint={`last hour ${formatUsd(s.last_hour_usd)}`}
              testId={testIds.overview.hourly}
            />
            <Stat label="Month to date" value={formatUsd(s.month_to_date_usd)} testId={testIds.overview.monthToDate} />
            <Stat
              label="Projected month end"
              value={formatUsd(s.projected_month_end.expected_usd)}
              hint={`80 % interval ${formatUsd(s.projected_month_end.lower_80_usd)} – ${formatUsd(s.projected_month_end.upper_80_usd)}`}
              testId={testIds.overview.projected}
            />
            <Stat
              label="Cost per request"
              value={formatUsdAuto(s.cost_per_request_usd)}
              testId={testIds.overview.costPerRequest}
            />
          </StatRow>
        )}
      </Loadable>
    </Section>
  );
}

function Utilization() {
  const state = useApi(loadUtilization, []);
  const columns = [
    { id: 'label', header: 'Quota / budget', render: (r: UtilizationLine) => `${r.label} (${r.kind})` },
    { id: 'subject', header: 'Subject', render: (r: UtilizationLine) => r.subject },
    { id: 'usage', header: 'Used', numeric: true, render: (r: UtilizationLine) => r.usage },
    { id: 'limit', header: 'Limit', numeric: true, render: (r: UtilizationLine) => r.limit },
    {
      id: 'utilization',
      header: 'Utilisation',
      render: (r: UtilizationLine) => <UtilizationBar ratio={r.utilization} />,
      compare: (a: UtilizationLine, b: UtilizationLine) => a.utilization - b.utilization,
    },
    {
      id: 'nextReset',
      header: 'Resets',
      render: (r: UtilizationLine) => `${formatTime(r.nextReset, r.timezone)} (${r.timezone})`,
    },
  ];
  return (
    <Section title="Quota and budget utilisation" testId={testIds.overview.utilization}>
      <Loadable state={state} what="quotas and budgets" isEmpty={(d) => d.length === 0}>
        {(lines) => <DataTable columns={columns} rows={lines} rowKey={(r) => `${r.kind}/${r.id}/${r.subject}`} />}
      </Loadable>
    </Section>
  );
}

function TopConsumers() {
  const { tz } = useSettings();
  const state = useApi(() => getTop({ group_by: 'user', metric: 'cost', limit: 10, tz }), [tz]);
  const columns = [
    { id: 'key', header: 'User', render: (r: TopRow) => r.key ?? '(none)' },
    { id: 'cost_usd', header: 'Cost', numeric: true, render: (r: TopRow) => formatUsd(r.cost_usd) },
    { id: 'share', header: 'Share', numeric: true, render: (r: TopRow) => formatPercent(r.share) },
    {
      id: 'change',
      header: 'Change',
      numeric: true,
      render: (r: TopRow) => (r.change === null ? 'new' : `${r.change >= 0 ? '+' : ''}${formatPercent(r.change)}`),
    },
  ];
  return (
    <Section title="Top consumers this month" testId={testIds.overview.top}>
      <Loadable state={state} what="top consumers" isEmpty={(d) => d.length === 0}>
        {(rows) => <DataTable columns={columns} rows={rows} rowKey={(r) => String(r.key)} />}
      </Loadable>
    </Section>
  );
}

function Anomalies() {
  const { tz } = useSettings();
  const state = useApi(() => {
    const to = new Date();
    const from = new Date(to.getTime() - 24 * 3600_000);
    return getAnomalies({ metric: 'cost', from: from.toISOString(), to: to.toISOString(), tz });
  }, [tz]);
  const columns = [
    { id: 'bucket_start', header: 'When', render: (r: Anomaly) => formatTime(r.bucket_start, tz) },
    { id: 'kind', header: 'What', render: (r: Anomaly) => r.kind },
    {
      id: 'observed',
      header: 'Observed / expected',
      numeric: true,
      render: (r: Anomaly) =>
        r.observed_usd !== undefined
          ? `${formatUsd(r.observed_usd)} / ${formatUsd(r.expected_usd)}`
          : `${r.observed ?? '—'} / ${r.expected ?? '—'}`,
    },
    { id: 'impact_usd', header: 'Impact', numeric: true, render: (r: Anomaly) => formatUsd(r.impact_usd) },
    {
      id: 'explanation',
      header: 'Explained by',
      render: (r: Anomaly) =>
        (r.explanation ?? []).map((e) => `${e.dimension}=${e.value ?? '(none)'} (${formatPercent(e.share, 0)})`).join(', ') || '—',
    },
  ];
  return (
    <Section title="Anomalies in the last 24 hours" testId={testIds.overview.anomalies}>
      <Loadable
        state={state}
        what="anomalies"
        isEmpty={(d) => d.length === 0}
        empty={<Alert severity="success" title="No anomalies in the last 24 hours" />}
      >
        {(rows) => <DataTable columns={columns} rows={rows} rowKey={(r) => r.id} />}
      </Loadable>
    </Section>
  );
}

function PrometheusPanels() {
  const { prometheusUid } = useSettings();
  const scene = useMemo(() => (prometheusUid ? buildOverviewScene(prometheusUid) : undefined), [prometheusUid]);
  return (
    <Section title="Rates and breakdowns (Prometheus)" testId={testIds.overview.panels}>
      {scene ? (
        <scene.Component model={scene} />
      ) : (
        <Alert severity="info" title="No Prometheus data source chosen">
          Choose the Prometheus that scrapes tokenmeter in the app&apos;s Configuration page to see rates and breakdowns
          here.
        </Alert>
      )}
    </Section>
  );
}

function Overview() {
  const s = useStyles2(getStyles);
  return (
    <PluginPage>
      <div data-testid={testIds.overview.container} className={s.page}>
        <Figures />
        <Utilization />
        <div className={s.twoColumns}>
          <TopConsumers />
          <Anomalies />
        </div>
        <PrometheusPanels />
      </div>
    </PluginPage>
  );
}

export default Overview;

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ paddingBottom: theme.spacing(4) }),
  twoColumns: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: theme.spacing(3),
  }),
});
