import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { getBudgetRisks, getForecast, type BudgetRisk } from '../api/analytics';
import { listBudgets, listQuotas } from '../api/resources';
import { DataTable } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { Stat, StatRow } from '../components/common/Stat';
import { useSettings } from '../components/common/settings';
import { ForecastChart } from '../components/forecast/ForecastChart';
import { testIds } from '../components/testIds';
import { formatPercent, formatUsd } from '../utils/money';
import { formatTime } from '../utils/time';
import { useApi } from '../utils/useApi';

/** Every cost quota and budget with its risk this period, from the forecast of its own subject. */
async function loadRisks(tz: string | undefined): Promise<BudgetRisk[]> {
  const [quotas, budgets] = await Promise.all([listQuotas(), listBudgets()]);
  const names = new Map([...quotas, ...budgets].map((l) => [l.id, l.name]));
  const risks = await getBudgetRisks([...quotas, ...budgets], tz);
  return risks.map((r) => ({ ...r, name: r.name ?? names.get(r.id) }));
}

function Risks() {
  const { tz } = useSettings();
  const state = useApi(() => loadRisks(tz), [tz]);
  return (
    <Section title="Budgets and quotas at risk" testId={testIds.forecast.budgets}>
      <Loadable
        state={state}
        what="budget risks"
        isEmpty={(d) => d.length === 0}
        empty={
          <Alert
            severity="info"
            title="No cost budget or quota with a named subject: create one on the Quotas and budgets page."
          />
        }
      >
        {(rows) => (
          <DataTable<BudgetRisk>
            rowKey={(b) => `${b.kind}/${b.id}/${b.subject}`}
            rows={rows}
            initialSort={{ id: 'p', desc: true }}
            columns={[
              { id: 'name', header: 'Budget / quota', render: (b) => `${b.name ?? b.id} (${b.kind})` },
              { id: 'subject', header: 'Subject', render: (b) => `${b.scope} ${b.subject}` },
              { id: 'used', header: 'Used', numeric: true, render: (b) => formatUsd(b.usage_usd) },
              { id: 'limit', header: 'Limit', numeric: true, render: (b) => formatUsd(b.limit_usd) },
              {
                id: 'p',
                header: 'Probability of exceeding',
                numeric: true,
                render: (b) => (b.probability_exceeded === undefined ? '—' : formatPercent(b.probability_exceeded, 0)),
                compare: (a, b) => (a.probability_exceeded ?? -1) - (b.probability_exceeded ?? -1),
              },
              {
                id: 'crossing',
                header: 'Expected crossing',
                render: (b) =>
                  b.crossed
                    ? 'already exceeded'
                    : b.expected_crossing
                      ? formatTime(b.expected_crossing, tz, true)
                      : 'not this period',
              },
            ]}
          />
        )}
      </Loadable>
    </Section>
  );
}

function Forecast() {
  const { tz } = useSettings();
  const state = useApi(() => getForecast({ tz }), [tz]);
  return (
    <PluginPage>
      <div data-testid={testIds.forecast.container}>
        <Loadable
          state={state}
          what="the forecast"
          isEmpty={(f) => f.history.length === 0 && f.points.length === 0}
          empty={<Alert severity="info" title="No spend recorded yet: the forecast needs history." />}
        >
          {(f) => (
            <>
              <StatRow>
                <Stat
                  label="Expected month end"
                  value={formatUsd(f.month_end.expected_usd)}
                  hint={`method: ${f.method}`}
                  testId={testIds.forecast.monthEnd}
                />
                <Stat
                  label="80 % interval"
                  value={`${formatUsd(f.month_end.lower_80_usd)} – ${formatUsd(f.month_end.upper_80_usd)}`}
                  testId={testIds.forecast.band80}
                />
                <Stat
                  label="95 % interval"
                  value={`${formatUsd(f.month_end.lower_95_usd)} – ${formatUsd(f.month_end.upper_95_usd)}`}
                  testId={testIds.forecast.band95}
                />
              </StatRow>
              <Section title="Spend this month and forecast">
                <ForecastChart forecast={f} />
              </Section>
            </>
          )}
        </Loadable>
        <Risks />
      </div>
    </PluginPage>
  );
}

export default Forecast;
