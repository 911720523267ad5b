import { forecastGeometry } from './forecastChart';
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
    expect(g.maxUsd).toBeCloseTo(210);
    // The first history point is at the left edge and at $0 on the bottom line.
    expect(g.history.startsWith('M64.0,272.0')).toBe(true);
    expect(g.expected.split(' ')).toHaveLength(2);
    expect(g.band95.endsWith('Z')).toBe(true);
    expect(g.band95.split(' ')).toHaveLength(5);
    expect(g.limits).toEqual([{ y: expect.any(Number), label: 'Team' }]);
  });

  test('a point without a number is left out, never drawn as $0', () => {
    const g = forecastGeometry({
      ...forecast,
      points: [point(3, '100', '90', '110', '80', '120'), point(4, 'n/a', '130', '170', '120', '200')],
    });
    expect(g.expected.split(' ')).toHaveLength(1);
  });
});
