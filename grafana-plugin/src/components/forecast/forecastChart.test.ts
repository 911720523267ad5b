import { forecastGeometry, roundTicks } from './forecastChart';
import type { Forecast } from '../../api/analytics';

const point = (day: number, e: string, l80: string, u80: string, l95: string, u95: string) => ({
  time: `2026-03-${String(day).padStart(2, '0')}T00:00:00Z`,
  expected_usd: e,
  lower_80_usd: l80,
  upper_80_usd: u80,
  lower_95_usd: l95,
  upper_95_usd: u95,
});

const forecast: Forecast = {
  method: 'ets',
  history: [
    { time: '2026-03-01T00:00:00Z', actual_usd: '0' },
    { time: '2026-03-02T00:00:00Z', actual_usd: '50' },
  ],
  points: [point(3, '100', '90', '110', '80', '120'), point(4, '150', '130', '170', '120', '200')],
  month_end: {
    expected_usd: '150',
    lower_80_usd: '130',
    upper_80_usd: '170',
    lower_95_usd: '120',
    upper_95_usd: '200',
  },
  budgets: [
    {
      id: 'budget-a',
      kind: 'budget',
      name: 'Team',
      scope: 'department',
      subject: 'team',
      utilization: 0.5,
      crossed: false,
      limit_usd: '160',
      probability_exceeded: 0.4,
      expected_crossing: null,
    },
  ],
};

describe('forecast chart geometry', () => {
  test('scales to the highest of history, 95 % band and budget limits', () => {
    const g = forecastGeometry(forecast, 1000, 300);
    // 200 × 1.05 = 210: the scale tops out at the next round tick, 250 (0, 62.5 … would not be round).
    expect(g.maxUsd).toBe(250);
    expect(g.yTicks.map((t) => t.label)).toEqual(['$0', '$50', '$100', '$150', '$200', '$250']);
    // The first history point is at the left edge and at $0 on the bottom line.
    expect(g.history.startsWith('M64.0,272.0')).toBe(true);
    expect(g.expected.split(' ')).toHaveLength(2);
    expect(g.band95.endsWith('Z')).toBe(true);
    expect(g.band95.split(' ')).toHaveLength(5);
    expect(g.limits).toEqual([{ y: expect.any(Number), label: 'Team' }]);
  });

  test('y ticks are round amounts at every scale, labelled with the decimals they need', () => {
    expect(roundTicks(54.6)).toEqual({ values: [0, 20, 40, 60], decimals: 0 });
    expect(roundTicks(9)).toEqual({ values: [0, 2, 4, 6, 8, 10], decimals: 0 });
    expect(roundTicks(11)).toEqual({ values: [0, 2.5, 5, 7.5, 10, 12.5], decimals: 1 });
    expect(roundTicks(0.0735)).toEqual({ values: [0, 0.02, 0.04, 0.06, 0.08], decimals: 2 });
    expect(roundTicks(1234)).toEqual({ values: [0, 250, 500, 750, 1000, 1250], decimals: 0 });
    expect(roundTicks(0.3)).toEqual({ values: [0, 0.1, 0.2, 0.3], decimals: 1 });
  });

  test('a point without a number is left out, never drawn as $0', () => {
    const g = forecastGeometry({
      ...forecast,
      points: [point(3, '100', '90', '110', '80', '120'), point(4, 'n/a', '130', '170', '120', '200')],
    });
    expect(g.expected.split(' ')).toHaveLength(1);
  });
});
