/** The analytics maths: pure functions over numeric series, no I/O. */
export { seasonalMean, seasonalNaive, runRateMonthEnd } from './baselines.js';
export { fitEts, forecastEts, horizonVariances, innovationWeights, refilterEts } from './ets.js';
export type { EtsFit, EtsGrid, EtsOptions, EtsParams } from './ets.js';
export { forecastDaily, todayRunRateForecast, dayLogVariances, partialSumLogVariances, FORECAST_METHODS, MEMBERS, TODAY_RUN_RATE_SIGMA, TAIL_DOF, SCALE_INFLATION } from './daily-forecast.js';
export type { DailyForecast, DailyForecastOptions, ForecastMethod, Spread } from './daily-forecast.js';
export { forecastMonthEnd } from './month-end.js';
export type { Exceedance, Interval, MonthEndForecast, MonthEndInput } from './month-end.js';
export { detectSeasonality, centredMovingAverage } from './seasonality.js';
export type { Seasonality, SeasonalityOptions } from './seasonality.js';
export { detectAnomalies, detectErrorSurges, scoreBuckets } from './anomalies.js';
export type { AnomalyEvent, AnomalyKind, AnomalyOptions, BucketScore, ErrorSurge, ErrorSurgeOptions, SurgeBucket } from './anomalies.js';
export { attributeDelta } from './attribution.js';
export type { Attribution, Contribution, KeyAmounts } from './attribution.js';
export { roundUpNice, suggestLimit } from './suggestions.js';
export type { Suggestion, SuggestionOptions } from './suggestions.js';
export { binomialUpperTail, fUpperTail, logGamma, mad, median, normalCdf, normalQuantile, quantile, Random, studentCdf, studentQuantile } from './stats.js';
