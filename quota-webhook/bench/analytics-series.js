/**
 * Series for the analytics accuracy benches: seeded synthetic daily spend of
 * several shapes, and the real public series committed as small derived
 * fixtures under test/analytics/fixtures (their sources and licences are in
 * each file). Nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { Random } from '../dist/analytics/methods/stats.js';

const DAY = 86_400_000;

/** Daily synthetic families. `grows` marks the ones the "half the run-rate error" goal is about. */
export const FAMILIES = [
  { name: 'weekly', grows: false },
  { name: 'growth', grows: true },
  { name: 'level_shift', grows: true },
  { name: 'holidays', grows: false },
  { name: 'noisy', grows: false },
  { name: 'mixed', grows: true },
];

const HOLIDAYS = ['01-01', '05-01', '07-04', '11-23', '11-24', '12-24', '12-25', '12-26', '12-31'];

/**
 * One synthetic series: `days` daily values from `startMs` (UTC midnight).
 * Model: level × weekday factor × growth × level shifts × holidays × log-normal noise, plus rare incident spikes.
 */
export function syntheticSeries(family, seed, startMs, days) {
  const rng = new Random(seed);
  const u = (a, b) => a + (b - a) * rng.next();
  let level = u(20, 400);
  const weekend = family === 'noisy' ? u(0.8, 1.0) : u(0.25, 0.65);
  const weekday = Array.from({ length: 7 }, (_, d) => (d >= 5 ? weekend * u(0.9, 1.1) : u(0.9, 1.2)));
  const sigma = family === 'noisy' ? u(0.3, 0.45) : family === 'weekly' ? u(0.05, 0.2) : u(0.08, 0.2);
  const growthPerDay = family === 'growth' ? u(0.03, 0.12) / 30 : family === 'mixed' ? u(0.0, 0.08) / 30 : 0;
  const shiftRate = family === 'level_shift' ? 1 / 40 : family === 'mixed' ? 1 / 75 : 0;
  const holidays = family === 'holidays' || family === 'mixed';
  const spikeRate = family === 'noisy' || family === 'holidays' || family === 'mixed' ? 1 / 45 : 1 / 200;
  const values = new Array(days);
  // The latent path (level with growth and shifts; weekday × holiday factor), for the oracle bound in the accuracy bench.
  const level_ = new Array(days);
  const factor = new Array(days);
  for (let t = 0; t < days; t++) {
    const date = new Date(startMs + t * DAY);
    if (shiftRate > 0 && rng.next() < shiftRate) {
      let s = rng.normal() * 0.4;
      if (Math.abs(s) < 0.2) s = Math.sign(s || 1) * 0.2;
      level *= Math.exp(s);
    }
    level *= Math.exp(growthPerDay);
    const dow = (date.getUTCDay() + 6) % 7;
    let v = level * weekday[dow] * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
    const md = date.toISOString().slice(5, 10);
    const holiday = holidays && HOLIDAYS.includes(md) ? u(0.25, 0.5) : 1;
    v *= holiday;
    if (rng.next() < spikeRate) v *= u(2, 5);
    values[t] = v;
    level_[t] = level;
    factor[t] = weekday[dow] * holiday;
  }
  /** Expected value of day `t + k` given everything up to day t − 1 (today's level, growth and calendar known; future shifts and noise not). */
  const oracle = (t, k) => level_[t - 1] * Math.exp(growthPerDay * (k + 1)) * factor[t + k] * (1 + spikeRate * 2.5);
  Object.defineProperty(values, 'oracle', { value: oracle, enumerable: false });
  return values;
}

function fixture(name) {
  return JSON.parse(readFileSync(new URL(`../test/analytics/fixtures/${name}`, import.meta.url), 'utf8'));
}

/** The real daily series: { name, startMs, values, source }. */
export function realDailySeries() {
  return ['nyc-taxi-daily.json', 'bike-sharing-daily.json', 'wikipedia-peyton-manning-daily.json'].map((file) => {
    const f = fixture(file);
    return { name: file.replace(/-daily\.json$/, ''), startMs: Date.parse(`${f.start}T00:00:00Z`), values: f.values, source: f.source, licence: f.licence };
  });
}

/** Daily NYC taxi passengers with the NAB label days. */
export function nycTaxiDaily() {
  const f = fixture('nyc-taxi-daily.json');
  return { start: f.start, values: f.values, labels: f.labels };
}

/** Hourly NYC taxi passengers (New York local hours), for the anomaly bench. */
export function nycTaxiHourly() {
  const f = fixture('nyc-taxi-hourly.json');
  return { startLocal: f.start, values: f.values };
}
