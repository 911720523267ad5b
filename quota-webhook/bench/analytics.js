/**
 * The analytics section of `npm run bench -w quota-webhook`: forecast
 * accuracy (bench/analytics-accuracy.js), anomaly detection
 * (bench/analytics-anomalies.js) and endpoint timings over a large ledger
 * (bench/analytics-timing.js, when present), each against the goals of the
 * analytics issue. `BENCH_ONLY` names: analytics-accuracy,
 * analytics-anomalies, analytics-timing (`analytics` = all three).
 */
import { existsSync } from 'node:fs';
import { runAnalyticsAccuracyBench } from './analytics-accuracy.js';
import { runAnalyticsAnomalyBench } from './analytics-anomalies.js';
import { fmt } from './stats.js';

export const ANALYTICS_PARTS = ['analytics-accuracy', 'analytics-anomalies', 'analytics-timing'];

function wanted(only, part) {
  return only.has(part) || only.has('analytics');
}

export async function runAnalyticsBench({ only, dir, postgresUrl }) {
  const out = {};
  if (wanted(only, 'analytics-accuracy')) out.accuracy = runAnalyticsAccuracyBench();
  if (wanted(only, 'analytics-anomalies')) out.anomalies = runAnalyticsAnomalyBench();
  if (wanted(only, 'analytics-timing')) {
    const file = new URL('analytics-timing.js', import.meta.url);
    if (existsSync(file)) {
      const { runAnalyticsTimingBench } = await import(file.href);
      out.timing = await runAnalyticsTimingBench({ dir, postgresUrl });
    } else console.log('\n(analytics timing bench not present)');
  }
  return out;
}

/** Summary lines, one per goal. */
export function analyticsSummary(a) {
  if (!a) return [];
  const ok = (met) => (met ? 'met' : 'NOT met');
  const lines = [];
  if (a.accuracy) {
    const x = a.accuracy;
    lines.push(`forecast month-end error lower than run-rate, seasonal naive and weekday mean at every day of the month (MAPE and MASE): all series ${ok(x.everyDay)}; synthetic ${ok(x.everyDaySynthetic)}; real ${ok(x.everyDayReal)}`);
    lines.push(`forecast on series that grow or shift level: ${fmt(100 * x.growingRatio, 0)} % of the run-rate MAPE — goal ≤ 50 %: ${ok(x.growingRatio <= 0.5)} (an oracle that knows today's level and growth: ${fmt(100 * x.oracleGrowingRatio, 0)} %)`);
    lines.push(`forecast intervals: 80 % covers ${fmt(100 * x.cov80, 1)} % — goal 75–85 %: ${ok(x.cov80 >= 0.75 && x.cov80 <= 0.85)}; 95 % covers ${fmt(100 * x.cov95, 1)} % — goal 90–97 %: ${ok(x.cov95 >= 0.9 && x.cov95 <= 0.97)}`);
    lines.push(`budget exceedance Brier score ${fmt(x.brier, 4)} vs run-rate rule ${fmt(x.brierRunRate, 4)} — goal lower: ${ok(x.brier < x.brierRunRate)}`);
  }
  if (a.anomalies) {
    for (const [group, r] of Object.entries(a.anomalies)) {
      if (group === 'nab') continue;
      lines.push(`anomalies (${group}): recall ${fmt(r.recall, 3)}, precision ${fmt(r.precision, 3)} within one bucket — goal ≥ 0.9 / ≥ 0.8: ${ok(r.recall >= 0.9 && r.precision >= 0.8)}`);
    }
  }
  if (a.timing) lines.push(...a.timing.summary);
  return lines;
}
