import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { getBudgetRisks, getForecast, type BudgetRisk, type Forecast as ForecastData } from '../api/analytics';
import { listBudgets, listQuotas } from '../api/resources';
import { DataTable } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { Stat, StatRow } from '../components/common/Stat';
import { useSettings } from '../components/common/settings';
import { ForecastChart } from '../components/forecast/ForecastChart';
import { testIds } from '../components/testIds';
import { formatPercent, formatUsd, wholePercents } from '../utils/money';
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

/**
 * How the figure was made. A projection from today's rate alone (no complete
 * day yet) swings with every call and its interval is wide: said plainly, so
 * a new deployment's first hour does not read as a month-end bill.
 */
function MethodNote({ forecast: f }: { forecast: ForecastData }) {
  const seen = f.history_seen;
  const history =
    seen === undefined
      ? ''
      : seen.days === 0
        ? ' No complete day of history yet.'
        : ` From ${seen.days} day${seen.days === 1 ? '' : 's'} of history${seen.from ? ` since ${seen.from}` : ''}.`;
  if (f.method === 'today_run_rate') {
    return (
      <div data-testid={testIds.forecast.method}>
        <Alert severity="info" title="Early estimate: today's rate carried to the month end">
          No complete day of usage yet, so this continues today&apos;s spend per hour to the end of the month. It moves
          with every call until a day of history exists, and the intervals stay wide until the daily pattern is known.
        </Alert>
      </div>
    );
  }
  const members = Object.entries(seen?.weights ?? {});
  const percents = wholePercents(members.map(([, weight]) => weight));
  const weights = members.map(([member], i) => `${MEMBER_NAMES[member] ?? member} ${percents[i]} %`).join(', ');
  // The API's words name the field the weights are in; here they are shown instead.
  const detail = f.method_detail?.replace(/ \(the weights are in [^)]*\)$/, '');
  return (
    <p data-testid={testIds.forecast.method}>
      How: {detail ?? f.method}
      {weights ? ` (${weights})` : ''}.{history}
    </p>
  );
}

/** The members of a weighted forecast, in words. */
const MEMBER_NAMES: Record<string, string> = {
  ets: 'Holt-Winters',
  weekday_mean: 'weekday mean',
  seasonal_naive: 'seasonal naive',
};

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
              <MethodNote forecast={f} />
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
