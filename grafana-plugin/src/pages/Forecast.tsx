import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { getForecast, type BudgetRisk } from '../api/analytics';
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
                />
                <Stat
                  label="80 % interval"
                  value={`${formatUsd(f.month_end.lower_80_usd)} – ${formatUsd(f.month_end.upper_80_usd)}`}
                />
                <Stat
                  label="95 % interval"
                  value={`${formatUsd(f.month_end.lower_95_usd)} – ${formatUsd(f.month_end.upper_95_usd)}`}
                />
              </StatRow>
              <Section title="Spend this month and forecast">
                <ForecastChart forecast={f} />
              </Section>
              <Section title="Budgets and quotas at risk" testId={testIds.forecast.budgets}>
                {f.budgets.length === 0 ? (
                  <Alert
                    severity="info"
                    title="No budget or cost quota applies: create one on the Quotas and budgets page."
                  />
                ) : (
                  <DataTable<BudgetRisk>
                    rowKey={(b) => b.id}
                    rows={f.budgets}
                    initialSort={{ id: 'p', desc: true }}
                    columns={[
                      { id: 'name', header: 'Budget / quota', render: (b) => `${b.name ?? b.id} (${b.kind})` },
                      { id: 'subject', header: 'Subject', render: (b) => b.subject ?? '—' },
                      { id: 'limit', header: 'Limit', numeric: true, render: (b) => formatUsd(b.limit_usd) },
                      {
                        id: 'p',
                        header: 'Probability of exceeding',
                        numeric: true,
                        render: (b) => formatPercent(b.probability_exceeded, 0),
                        compare: (a, b) => a.probability_exceeded - b.probability_exceeded,
                      },
                      {
                        id: 'crossing',
                        header: 'Expected crossing',
                        render: (b) =>
                          b.expected_crossing ? formatTime(b.expected_crossing, tz, true) : 'not this period',
                      },
                    ]}
                  />
                )}
              </Section>
            </>
          )}
        </Loadable>
      </div>
    </PluginPage>
  );
}

export default Forecast;
