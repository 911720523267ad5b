/** Geometry of the forecast chart: cumulative history, expected path and the 80/95 % bands as SVG paths. */
import type { Forecast } from '../../api/analytics';
import { usdForChart } from '../../utils/money';

export interface ChartGeometry {
  width: number;
  height: number;
  history: string;
  expected: string;
  band80: string;
  band95: string;
  maxUsd: number;
  xTicks: Array<{ x: number; label: string }>;
  /** Round amounts from $0 to the top of the scale (1, 2, 2.5 or 5 × 10^k apart), with their labels. */
  yTicks: Array<{ y: number; usd: number; label: string }>;
  limits: Array<{ y: number; label: string }>;
}

const PAD = { left: 64, right: 16, top: 12, bottom: 28 };

/** Scales every series into one box; points without a number are skipped, never drawn as zero. */
export function forecastGeometry(f: Forecast, width = 900, height = 320): ChartGeometry {
  const times = [...f.history.map((h) => Date.parse(h.time)), ...f.points.map((p) => Date.parse(p.time))].filter(
    Number.isFinite
  );
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const values = [
    ...f.history.map((h) => usdForChart(h.actual_usd)),
    ...f.points.map((p) => usdForChart(p.upper_95_usd)),
    ...f.budgets.map((b) => usdForChart(b.limit_usd)),
  ].filter((v): v is number => v !== undefined);
  // The scale tops out at a round tick above the highest value (a cent at least: nothing spent is still a chart).
  const ticks = roundTicks(Math.max(0.01, ...values) * 1.05);
  const maxUsd = ticks.values[ticks.values.length - 1]!;
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (width - PAD.left - PAD.right);
  const y = (usd: number) => height - PAD.bottom - (usd / maxUsd) * (height - PAD.top - PAD.bottom);
  const line = (pts: Array<[number, number | undefined]>) =>
    pts
      .filter((p): p is [number, number] => p[1] !== undefined)
      .map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
  const band = (lo: keyof Forecast['points'][number], hi: keyof Forecast['points'][number]) => {
    const upper = f.points.map((p) => [Date.parse(p.time), usdForChart(p[hi])] as [number, number | undefined]);
    const lower = f.points
      .map((p) => [Date.parse(p.time), usdForChart(p[lo])] as [number, number | undefined])
      .reverse();
    const path = line([...upper, ...lower]);
    return path ? `${path} Z` : '';
  };
  const days = Math.max(1, Math.round((t1 - t0) / 86_400_000));
  const step = Math.max(1, Math.ceil(days / 8));
  const xTicks: ChartGeometry['xTicks'] = [];
  for (let d = 0; d <= days; d += step) {
    const t = t0 + d * 86_400_000;
    xTicks.push({ x: x(t), label: new Date(t).toISOString().slice(5, 10) });
  }
  const yTicks = ticks.values.map((usd) => ({
    y: y(usd),
    usd,
    label: `$${usd.toLocaleString('en-US', { minimumFractionDigits: ticks.decimals, maximumFractionDigits: ticks.decimals })}`,
  }));
  return {
    width,
    height,
    history: line(f.history.map((h) => [Date.parse(h.time), usdForChart(h.actual_usd)])),
    expected: line(f.points.map((p) => [Date.parse(p.time), usdForChart(p.expected_usd)])),
    band80: band('lower_80_usd', 'upper_80_usd'),
    band95: band('lower_95_usd', 'upper_95_usd'),
    maxUsd,
    xTicks,
    yTicks,
    limits: f.budgets
      .map((b) => ({ v: usdForChart(b.limit_usd), label: b.name ?? b.subject ?? b.id }))
      .filter((l): l is { v: number; label: string } => l.v !== undefined)
      .map((l) => ({ y: y(l.v), label: l.label })),
  };
}

/** At most `count` round steps (1, 2, 2.5 or 5 × 10^k) from 0 to the first at or above `max`, and the decimals their labels need. */
export function roundTicks(max: number, count = 5): { values: number[]; decimals: number } {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-12))!;
  const n = Math.ceil(max / step - 1e-9);
  // Multiples computed as i × step (not by adding), so $0.30 is 0.3 and not 0.30000000000000004.
  const values = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  const decimals = Math.max(0, ...values.map((v) => (String(v).split('.')[1] ?? '').length));
  return { values, decimals };
}
