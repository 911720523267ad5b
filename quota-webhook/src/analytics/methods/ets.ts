/**
 * Additive Holt-Winters with a damped trend — ETS(A,Ad,A) in innovations
 * form (Hyndman et al., "Forecasting with Exponential Smoothing", 2008):
 *   ŷ_t = ℓ_{t−1} + φ b_{t−1} + s_{t−m}, ε_t = y_t − ŷ_t
 *   ℓ_t = ℓ_{t−1} + φ b_{t−1} + α ε_t, b_t = φ b_{t−1} + β ε_t, s_t = s_{t−m} + γ ε_t
 * Parameters are chosen by a grid over (α, β/α, γ, φ) minimising the sum of
 * squared one-step errors. Updates are robust (Gelper, Fried & Croux 2010):
 * an error beyond `huber` robust standard deviations moves the states by the
 * clipped error only, so one spike or holiday does not drag the level.
 * The caller picks the space (the forecast engine fits log costs).
 */

export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsFit {
  params: EtsParams;
  period: number;
  /** Number of observations fitted. */
  n: number;
  level: number;
  trend: number;
  /** Seasonal states by phase (index = time mod period). */
  season: number[];
  /** One-step residual standard deviation (clipped residuals, after the first season). */
  sigma: number;
  /** One-step residuals, raw (not clipped), from index `period` on. */
  residuals: number[];
  /** Errors beyond this were clipped in the updates. */
  clip: number;
  shiftRun: number;
  /** The fitted series with outliers clipped to their one-step forecast ± `clip` (level shifts kept as they are). */
  cleaned: number[];
}

export interface EtsOptions {
  /** Clip errors at this many robust standard deviations in the updates (default 3; Infinity = classic HW). */
  huber?: number;
  /** This many clipped errors in a row on one side are a level shift (default 3; Infinity = never). */
  shiftRun?: number;
  /** Parameter grid (defaults below). */
  grid?: Partial<EtsGrid>;
}

export interface EtsGrid {
  alpha: readonly number[];
  /** β as a fraction of α (β ≤ α keeps the model forecastable). */
  betaRatio: readonly number[];
  gamma: readonly number[];
  phi: readonly number[];
}

export const DEFAULT_GRID: EtsGrid = {
  alpha: [0.03, 0.08, 0.15, 0.25, 0.4, 0.6],
  betaRatio: [0, 0.05, 0.2],
  gamma: [0.01, 0.05, 0.15, 0.3],
  phi: [0.85, 0.95],
};

interface Init {
  level: number;
  trend: number;
  season: number[];
}

/** Initial states from the first seasons: level = first season's mean, trend from the first two seasons, season = mean deviation by phase. */
function initialStates(y: readonly number[], m: number): Init {
  const seasons = Math.min(3, Math.floor(y.length / m));
  const means: number[] = [];
  for (let k = 0; k < seasons; k++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += y[k * m + j]!;
    means.push(s / m);
  }
  const trend = seasons >= 2 ? (means[seasons - 1]! - means[0]!) / ((seasons - 1) * m) : 0;
  const season = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0; k < seasons; k++) s += y[k * m + j]! - (means[k]! + trend * (j - (m - 1) / 2));
    season[j] = s / seasons;
  }
  // Level "at time −1": the first season's mean moved back half a season along the trend.
  const level = means[0]! - trend * ((m + 1) / 2);
  return { level, trend, season };
}

/** A robust scale of one-step changes, used to clip errors: MAD of seasonal differences / √2. */
export function robustScale(y: readonly number[], m: number): number {
  const d: number[] = [];
  for (let t = m; t < y.length; t++) d.push(Math.abs(y[t]! - y[t - m]!));
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  const med = d[d.length >> 1]!;
  // |difference| of two iid normals has median 0.6745·√2·σ.
  return med / (0.6744897501960817 * Math.SQRT2);
}

/** Errors beyond the clip in a row (same side) that make a level shift. */
const SHIFT_RUN = 3;

interface Pass {
  loss: number;
  level: number;
  trend: number;
  season: number[];
  residuals: number[] | undefined;
  /** The series with outliers clipped to the one-step forecast ± clip (level shifts kept), when kept. */
  cleaned: number[] | undefined;
}

function filter(y: readonly number[], m: number, p: EtsParams, init: Init, clip: number, keep: boolean, shiftRun: number): Pass {
  let level = init.level;
  let trend = init.trend;
  const season = init.season.slice();
  let loss = 0;
  const residuals: number[] | undefined = keep ? [] : undefined;
  const cleaned: number[] | undefined = keep ? [] : undefined;
  // Errors beyond the clip, in a row on the same side: shiftRun of them are a level shift, not outliers.
  // Then the level jumps by their mean less what the clipped updates already moved it.
  let run = 0;
  let runRaw = 0;
  let runMoved = 0;
  for (let t = 0; t < y.length; t++) {
    const j = t % m;
    const forecast = level + p.phi * trend + season[j]!;
    const raw = y[t]! - forecast;
    let e = raw;
    let shift = 0;
    if (raw > clip || raw < -clip) {
      const side = raw > 0 ? 1 : -1;
      if (Math.sign(run) !== side) {
        run = 0;
        runRaw = 0;
        runMoved = 0;
      }
      run += side;
      e = side * clip;
      runRaw += raw;
      runMoved += p.alpha * e;
      cleaned?.push(forecast + e);
      if (Math.abs(run) >= shiftRun) {
        shift = runRaw / Math.abs(run) - runMoved;
        // The run was real: restore it in the cleaned series.
        if (cleaned) for (let k = 0; k < Math.abs(run); k++) cleaned[t - k] = y[t - k]!;
        run = 0;
        runRaw = 0;
        runMoved = 0;
      }
    } else {
      run = 0;
      cleaned?.push(y[t]!);
    }
    if (t >= m) {
      loss += e * e;
      residuals?.push(raw);
    }
    level = level + p.phi * trend + p.alpha * e + shift;
    trend = p.phi * trend + p.beta * e;
    season[j] = season[j]! + p.gamma * e;
  }
  return { loss, level, trend, season, residuals, cleaned };
}

/** Fits ETS(A,Ad,A) with period `m` to `y` (needs at least two seasons plus one value). */
export function fitEts(y: readonly number[], m: number, options: EtsOptions = {}): EtsFit {
  if (y.length < 2 * m + 1) throw new RangeError(`ETS needs at least ${2 * m + 1} values, got ${y.length}`);
  const grid = { ...DEFAULT_GRID, ...options.grid };
  const huber = options.huber ?? 3;
  const shiftRun = options.shiftRun ?? SHIFT_RUN;
  const scale = robustScale(y, m);
  const clip = Number.isFinite(huber) && scale > 0 ? huber * scale : Number.POSITIVE_INFINITY;
  const init = initialStates(y, m);
  let best: { p: EtsParams; loss: number } | undefined;
  for (const alpha of grid.alpha) {
    for (const ratio of grid.betaRatio) {
      for (const gamma0 of grid.gamma) {
        const gamma = Math.min(gamma0, 1 - alpha);
        // β = 0 is the model without a trend (φ = 0 drops the initial slope too, rather than extrapolating it for ever).
        for (const phi of ratio === 0 ? [0] : grid.phi) {
          const p = { alpha, beta: alpha * ratio, gamma, phi };
          const { loss } = filter(y, m, p, init, clip, false, shiftRun);
          if (best === undefined || loss < best.loss) best = { p, loss };
        }
      }
    }
  }
  const p = best!.p;
  const final = filter(y, m, p, init, clip, true, shiftRun);
  const residuals = final.residuals!;
  const k = 3 + (p.beta > 0 ? 2 : 0) + m;
  const dof = Math.max(1, residuals.length - k);
  let ss = 0;
  for (const r of residuals) {
    const e = r > clip ? clip : r < -clip ? -clip : r;
    ss += e * e;
  }
  return { params: p, period: m, n: y.length, level: final.level, trend: final.trend, season: final.season, sigma: Math.sqrt(ss / dof), residuals, clip, shiftRun, cleaned: final.cleaned! };
}

/**
 * The states after filtering `y` with the parameters (and clip) of an
 * existing fit: the cheap way to forecast from an earlier origin in a
 * back-test without re-running the parameter search.
 */
export function refilterEts(y: readonly number[], fit: EtsFit): EtsFit {
  const m = fit.period;
  if (y.length < 2 * m + 1) throw new RangeError(`ETS needs at least ${2 * m + 1} values, got ${y.length}`);
  const pass = filter(y, m, fit.params, initialStates(y, m), fit.clip, false, fit.shiftRun);
  return { ...fit, n: y.length, level: pass.level, trend: pass.trend, season: pass.season, residuals: [], cleaned: [] };
}

/** Point forecasts for the next `horizon` steps (in the fitted space). */
export function forecastEts(fit: EtsFit, horizon: number): number[] {
  const { phi } = fit.params;
  const out = new Array<number>(horizon);
  let damp = 0;
  let pow = 1;
  for (let h = 1; h <= horizon; h++) {
    pow *= phi;
    damp += pow;
    out[h - 1] = fit.level + damp * fit.trend + fit.season[(fit.n - 1 + h) % fit.period]!;
  }
  return out;
}

/**
 * The innovation weights c_j (j = 1…horizon−1) of the h-step error
 * e_{T+h} = ε_{T+h} + Σ_j c_j ε_{T+h−j}: c_j = α + β(φ + … + φ^j) + γ·1[j mod m = 0].
 * Index 0 holds c_0 = 1.
 */
export function innovationWeights(p: EtsParams, m: number, horizon: number): number[] {
  const c = new Array<number>(horizon).fill(0);
  c[0] = 1;
  let damp = 0;
  let pow = 1;
  for (let j = 1; j < horizon; j++) {
    pow *= p.phi;
    damp += pow;
    c[j] = p.alpha + p.beta * damp + (j % m === 0 ? p.gamma : 0);
  }
  return c;
}

/** Variance of the h-step error, σ²(1 + Σ_{j<h} c_j²), for h = 1…horizon. */
export function horizonVariances(fit: EtsFit, horizon: number): number[] {
  const c = innovationWeights(fit.params, fit.period, horizon);
  const out = new Array<number>(horizon);
  let acc = 0;
  for (let h = 1; h <= horizon; h++) {
    acc += c[h - 1]! * c[h - 1]!;
    out[h - 1] = fit.sigma * fit.sigma * acc;
  }
  return out;
}
