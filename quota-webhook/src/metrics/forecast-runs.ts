/**
 * The background month-end forecast's own figures (month-end-forecast.ts), so
 * that an operator sees how old the published `method="forecast"` series are
 * and whether computing them fails:
 * - `tokenmeter_month_end_forecast_timestamp_seconds`: when the published
 *   figures were computed (the instant `GET /analytics/forecast` answers them
 *   for); absent, like the figures, until the first computation is done;
 * - `tokenmeter_month_end_forecast_subjects`: how many (zone, scope, subject) it holds;
 * - `tokenmeter_month_end_forecast_duration_seconds`: that computation's wall time;
 * - `tokenmeter_month_end_forecast_runs_total{result="completed|failed"}`.
 * Written by hand like the other ledger families: prom-client cannot leave a
 * label-less gauge out.
 */
import { FamilyWriter, sampleValue } from './exposition.js';
import type { ForecastRunStats, PublishedForecast } from './month-end-forecast.js';

const HELP = {
  timestamp: 'When (control plane clock, Unix seconds) the published method="forecast" month-end figures were computed; absent until the first computation is done.',
  subjects: 'Subjects (zone, scope, subject) in the published method="forecast" month-end figures.',
  duration: 'Wall time in seconds of the background computation of the published month-end forecast; absent until the first is done.',
  runs: 'Background computations of the month-end forecast by result (completed; failed: the last figures stay published).',
};

/** The families for the computation `published` (the one the scrape's figures come from) and the counts so far. */
export function renderForecastRuns(published: PublishedForecast | undefined, stats: Readonly<ForecastRunStats>): FamilyWriter[] {
  const timestamp = new FamilyWriter('tokenmeter_month_end_forecast_timestamp_seconds', HELP.timestamp);
  const subjects = new FamilyWriter('tokenmeter_month_end_forecast_subjects', HELP.subjects);
  const duration = new FamilyWriter('tokenmeter_month_end_forecast_duration_seconds', HELP.duration);
  const runs = new FamilyWriter('tokenmeter_month_end_forecast_runs_total', HELP.runs, 'counter');
  if (published !== undefined) {
    timestamp.sample('tokenmeter_month_end_forecast_timestamp_seconds ', '', '', sampleValue(published.atMs / 1000), 'latin1');
    duration.sample('tokenmeter_month_end_forecast_duration_seconds ', '', '', sampleValue(published.durationMs / 1000), 'latin1');
  }
  subjects.sample('tokenmeter_month_end_forecast_subjects ', '', '', String(published?.subjects ?? 0), 'latin1');
  runs.sample('tokenmeter_month_end_forecast_runs_total{result="completed"} ', '', '', String(stats.completed), 'latin1');
  runs.sample('tokenmeter_month_end_forecast_runs_total{result="failed"} ', '', '', String(stats.failed), 'latin1');
  return [timestamp, subjects, duration, runs];
}
