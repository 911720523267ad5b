/**
 * Forecast accuracy: a rolling-origin back-test over month-long windows.
 * For every series, every calendar month with at least eight weeks of
 * history before it, and every day d of that month (origin = end of day d,
 * d = 1 … month length − 1), the month-end total is forecast by
 * - the chosen method (what GET /analytics/forecast answers: `forecastMonthEnd`),
 * - run-rate (month-to-date ÷ d × month length),
 * - seasonal naive (each remaining day = the same weekday a week before),
 * - weekday mean (each remaining day = mean of the same weekday over 4 weeks),
 * and scored against the true total: MAPE, and MASE = |error| ÷ (remaining
 * days × the in-sample mean |y_t − y_{t−7}|). Intervals: share of true totals
 * inside the 80 % and 95 % intervals. Budget risk: each window gets a budget
 * of the previous month's daily mean × month length × U(0.85, 1.3); Brier
 * score of P(total > budget) against the run-rate rule's 0/1 answer.
 * Series: seeded synthetic families (bench/analytics-series.js) and the real
 * public series in test/analytics/fixtures.
 */
import { seasonalMean, seasonalNaive } from '../dist/analytics/methods/baselines.js';
import { forecastMonthEnd } from '../dist/analytics/methods/month-end.js';
import { Random } from '../dist/analytics/methods/stats.js';
import { FAMILIES, realDailySeries, syntheticSeries } from './analytics-series.js';
import { fmt } from './stats.js';

const DAY = 86_400_000;
const MIN_HISTORY_DAYS = 56;
const BASELINES = ['run_rate', 'seasonal_naive', 'weekday_mean'];
const METHODS = ['chosen', ...BASELINES, 'oracle'];

/** Month windows of a daily series: [{ start (index), length }]. */
function monthWindows(startMs, n) {
  const out = [];
  const first = new Date(startMs);
  let y = first.getUTCFullYear();
  let m = first.getUTCMonth();
  for (;;) {
    const ms = Date.UTC(y, m, 1);
    const next = Date.UTC(y, m + 1, 1);
    const s = Math.round((ms - startMs) / DAY);
    const e = Math.round((next - startMs) / DAY);
    if (e > n) break;
    if (s >= MIN_HISTORY_DAYS) out.push({ start: s, length: e - s, label: new Date(ms).toISOString().slice(0, 7) });
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}

function sum(a, from = 0, to = a.length) {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
}

/** In-sample scale of MASE: mean |y_t − y_{t−7}| over the history. */
function seasonalScale(values, to) {
  let s = 0;
  let k = 0;
  for (let t = 7; t < to; t++) {
    s += Math.abs(values[t] - values[t - 7]);
    k++;
  }
  return k > 0 ? s / k : 1;
}

function newAcc() {
  return { n: 0, ape: Object.fromEntries(METHODS.map((m) => [m, 0])), ase: Object.fromEntries(METHODS.map((m) => [m, 0])) };
}

/** Back-tests one series; adds to `acc` (by group and by day of month) and to the interval and Brier tallies. */
function backtestSeries(series, groups, tallies, seed, methodsUsed) {
  const rng = new Random(seed);
  const { values, startMs } = series;
  for (const w of monthWindows(startMs, values.length)) {
    const prevLen = Math.min(w.start, 30);
    const budget = (sum(values, w.start - prevLen, w.start) / prevLen) * w.length * (0.85 + 0.45 * rng.next());
    const total = sum(values, w.start, w.start + w.length);
    if (!(total > 0)) continue;
    const exceeded = total > budget ? 1 : 0;
    for (let d = 1; d < w.length; d++) {
      const origin = w.start + d;
      const history = values.slice(0, origin);
      const mtd = sum(values, w.start, origin);
      const rest = w.length - d;
      const fc = forecastMonthEnd({ history, monthToDate: mtd, todaySoFar: 0, todayElapsedShare: 0, remainingDays: rest - 1 });
      methodsUsed.set(fc.forecast.method, (methodsUsed.get(fc.forecast.method) ?? 0) + 1);
      const runRate = (mtd / d) * w.length;
      const forecasts = {
        chosen: fc.monthEnd.expected,
        run_rate: runRate,
        seasonal_naive: mtd + sum(seasonalNaive(history, rest, 7)),
        weekday_mean: mtd + sum(seasonalMean(history, rest, 7, 4)),
        oracle: values.oracle ? mtd + sum(Array.from({ length: rest }, (_, k) => values.oracle(origin, k))) : Number.NaN,
      };
      const scale = seasonalScale(values, origin) * rest;
      for (const g of groups) {
        const acc = (g.byDay[d] ??= newAcc());
        acc.n++;
        for (const m of METHODS) {
          const err = Math.abs(forecasts[m] - total);
          acc.ape[m] += err / total;
          acc.ase[m] += scale > 0 ? err / scale : 0;
        }
      }
      const me = fc.monthEnd;
      tallies.n++;
      if (total >= me.lower80 && total <= me.upper80) tallies.in80++;
      if (total >= me.lower95 && total <= me.upper95) tallies.in95++;
      if (total < me.lower95) tallies.below95++;
      if (total > me.upper95) tallies.above95++;
      const p = fc.exceedance(budget).probability;
      tallies.brier += (p - exceeded) ** 2;
      tallies.brierRunRate += ((runRate > budget ? 1 : 0) - exceeded) ** 2;
      tallies.exceeded += exceeded;
    }
  }
}

function average(group, method, kind) {
  let s = 0;
  let n = 0;
  for (const acc of Object.values(group.byDay)) {
    s += acc[kind][method];
    n += acc.n;
  }
  return n > 0 ? s / n : Number.NaN;
}

function printGroup(group) {
  console.log(`\n  ${group.title} — month-end MAPE % by day of month (origin = end of day d), ${Object.values(group.byDay).reduce((a, x) => a + x.n, 0)} forecasts`);
  console.log(`  ${'d'.padStart(3)} ${'n'.padStart(5)}  ${'chosen'.padStart(7)} ${'run-rate'.padStart(8)} ${'s-naive'.padStart(7)} ${'wd-mean'.padStart(7)}   MASE: ${'chosen'.padStart(6)} ${'best bl'.padStart(7)}  lower than every baseline`);
  let allDays = true;
  for (const [d, acc] of Object.entries(group.byDay)) {
    const ape = Object.fromEntries(METHODS.map((m) => [m, (100 * acc.ape[m]) / acc.n]));
    const ase = Object.fromEntries(METHODS.map((m) => [m, acc.ase[m] / acc.n]));
    const bestApe = Math.min(...BASELINES.map((m) => ape[m]));
    const bestAse = Math.min(...BASELINES.map((m) => ase[m]));
    const ok = ape.chosen < bestApe && ase.chosen < bestAse;
    allDays &&= ok;
    console.log(`  ${d.padStart(3)} ${String(acc.n).padStart(5)}  ${fmt(ape.chosen, 2).padStart(7)} ${fmt(ape.run_rate, 2).padStart(8)} ${fmt(ape.seasonal_naive, 2).padStart(7)} ${fmt(ape.weekday_mean, 2).padStart(7)}         ${fmt(ase.chosen, 3).padStart(6)} ${fmt(bestAse, 3).padStart(7)}  ${ok ? 'yes' : 'NO'}`);
  }
  const mean = Object.fromEntries(METHODS.map((m) => [m, 100 * average(group, m, 'ape')]));
  const meanAse = Object.fromEntries(METHODS.map((m) => [m, average(group, m, 'ase')]));
  const oracle = Number.isNaN(mean.oracle) ? '' : `; oracle MAPE ${fmt(mean.oracle, 2)} %`;
  console.log(`  all days: MAPE chosen ${fmt(mean.chosen, 2)} %, run-rate ${fmt(mean.run_rate, 2)} %, seasonal naive ${fmt(mean.seasonal_naive, 2)} %, weekday mean ${fmt(mean.weekday_mean, 2)} %; MASE chosen ${fmt(meanAse.chosen, 3)}, run-rate ${fmt(meanAse.run_rate, 3)}, seasonal naive ${fmt(meanAse.seasonal_naive, 3)}, weekday mean ${fmt(meanAse.weekday_mean, 3)}${oracle}`);
  return { allDays, mean, meanAse };
}

/** Runs the back-test; returns the figures the summary checks against the goals. */
export function runAnalyticsAccuracyBench({ seriesPerFamily = Number(process.env.BENCH_ANALYTICS_SERIES ?? 5) } = {}) {
  const started = Date.now();
  console.log(`\nanalytics forecast accuracy — rolling origin, every day of every month with ≥ ${MIN_HISTORY_DAYS} days of history before it`);
  const start = Date.UTC(2023, 0, 2);
  const days = 456; // 2023-01-02 … 2024-04-01: 13 scored months each
  const all = { title: 'all series (synthetic + real)', byDay: {} };
  const synthetic = { title: `synthetic: ${FAMILIES.length} families × ${seriesPerFamily} seeded series`, byDay: {} };
  const growing = { title: 'synthetic that grow or shift level (growth, level_shift, mixed)', byDay: {} };
  const real = { title: 'real public series (NYC taxi, bike sharing, Wikipedia page views)', byDay: {} };
  const tallies = { n: 0, in80: 0, in95: 0, below95: 0, above95: 0, brier: 0, brierRunRate: 0, exceeded: 0 };
  const methodsUsed = new Map();
  let seed = 1;
  const perSeries = [];
  for (const family of FAMILIES) {
    const fam = { title: `family ${family.name}`, byDay: {} };
    perSeries.push(fam);
    for (let i = 0; i < seriesPerFamily; i++) {
      const values = syntheticSeries(family.name, 1000 * (FAMILIES.indexOf(family) + 1) + i, start, days);
      const groups = family.grows ? [all, synthetic, growing, fam] : [all, synthetic, fam];
      backtestSeries({ values, startMs: start }, groups, tallies, seed++, methodsUsed);
    }
  }
  const realSeries = realDailySeries();
  for (const s of realSeries) {
    const one = { title: `real ${s.name}`, byDay: {} };
    perSeries.push(one);
    backtestSeries(s, [all, real, one], tallies, seed++, methodsUsed);
  }
  const results = {};
  for (const g of [all, synthetic, growing, real]) results[g.title] = printGroup(g);
  console.log('\n  by family / series, mean over all days: MAPE % (MASE) chosen | run-rate | seasonal naive | weekday mean | oracle (synthetic only: knows today\'s level, growth and calendar, not future shifts or noise)');
  for (const g of perSeries) {
    const f = (m) => `${fmt(100 * average(g, m, 'ape'), 2)} (${fmt(average(g, m, 'ase'), 3)})`;
    console.log(`  ${g.title.padEnd(34)} ${METHODS.map(f).join(' | ')}`);
  }
  const cov80 = tallies.in80 / tallies.n;
  const cov95 = tallies.in95 / tallies.n;
  console.log(`\n  intervals over ${tallies.n} month-end forecasts: 80 % covers ${fmt(100 * cov80, 1)} %, 95 % covers ${fmt(100 * cov95, 1)} % (below ${fmt((100 * tallies.below95) / tallies.n, 1)} %, above ${fmt((100 * tallies.above95) / tallies.n, 1)} %)`);
  const brier = tallies.brier / tallies.n;
  const brierRunRate = tallies.brierRunRate / tallies.n;
  console.log(`  budget exceeded in ${fmt((100 * tallies.exceeded) / tallies.n, 1)} % of forecasts; Brier score ${fmt(brier, 4)} (chosen, probabilistic) vs ${fmt(brierRunRate, 4)} (run-rate rule, 0/1)`);
  console.log(`  methods chosen: ${[...methodsUsed].map(([k, v]) => `${k} ${v}`).join(', ')}; ${fmt((Date.now() - started) / 1000, 1)} s`);
  return {
    everyDay: results[all.title].allDays,
    everyDaySynthetic: results[synthetic.title].allDays,
    everyDayReal: results[real.title].allDays,
    growingRatio: results[growing.title].mean.chosen / results[growing.title].mean.run_rate,
    oracleGrowingRatio: results[growing.title].mean.oracle / results[growing.title].mean.run_rate,
    all: results[all.title],
    cov80,
    cov95,
    brier,
    brierRunRate,
    realSources: realSeries.map((s) => s.name),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) runAnalyticsAccuracyBench();
