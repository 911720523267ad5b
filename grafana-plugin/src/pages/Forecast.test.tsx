import React from 'react';
import { render, screen, within } from '@testing-library/react';
import Forecast from './Forecast';
import * as analytics from '../api/analytics';
import * as resources from '../api/resources';
import { testIds } from '../components/testIds';

jest.mock('../api/analytics', () => ({
  ...jest.requireActual('../api/analytics'),
  getForecast: jest.fn(),
  getBudgetRisks: jest.fn(),
}));
jest.mock('../api/resources', () => ({
  ...jest.requireActual('../api/resources'),
  listQuotas: jest.fn(),
  listBudgets: jest.fn(),
}));

describe('Forecast page', () => {
  test('month-end expectation with both intervals, the chart, and budgets by probability of exceeding', async () => {
    jest.mocked(analytics.getForecast).mockResolvedValue({
      method: 'ensemble',
      method_detail: 'a blend of the daily methods',
      history_seen: { days: 12, from: '2026-02-17' },
      history: [{ time: '2026-03-01T00:00:00Z', actual_usd: '10' }],
      points: [
        {
          time: '2026-03-31T00:00:00Z',
          expected_usd: '310.5',
          lower_80_usd: '280',
          upper_80_usd: '340.125',
          lower_95_usd: '260',
          upper_95_usd: '365',
        },
      ],
      month_end: {
        expected_usd: '310.5',
        lower_80_usd: '280',
        upper_80_usd: '340.125',
        lower_95_usd: '260',
        upper_95_usd: '365',
      },
      budgets: [],
    });
    const quota = { id: 'q-b', scope: 'department', subject: 'research', metric: 'cost' };
    const budget = { id: 'budget-a', name: 'Team A', scope: 'department', subject: 'team-a', metric: 'cost' };
    jest.mocked(resources.listQuotas).mockResolvedValue([quota] as unknown as resources.Quota[]);
    jest.mocked(resources.listBudgets).mockResolvedValue([budget] as unknown as resources.Budget[]);
    jest.mocked(analytics.getBudgetRisks).mockResolvedValue([
      {
        id: 'budget-a',
        kind: 'budget',
        scope: 'department',
        subject: 'team-a',
        limit_usd: '500',
        usage_usd: '120.5',
        utilization: 0.241,
        crossed: false,
        probability_exceeded: 0.02,
        expected_crossing: null,
      },
      {
        id: 'q-b',
        kind: 'quota',
        scope: 'department',
        subject: 'research',
        limit_usd: '300',
        usage_usd: '250',
        utilization: 0.8333,
        crossed: false,
        probability_exceeded: 0.64,
        expected_crossing: '2026-03-29T10:00:00Z',
      },
    ]);
    render(<Forecast />);
    expect(await screen.findByText('$310.50')).toBeInTheDocument();
    expect(screen.getByText('$280.00 – $340.13')).toBeInTheDocument();
    expect(screen.getByText('$260.00 – $365.00')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.forecast.method)).toHaveTextContent(
      'How: a blend of the daily methods. From 12 days of history since 2026-02-17.'
    );
    expect(screen.getByTestId(testIds.forecast.chart)).toBeInTheDocument();
    const rows = within(screen.getByTestId(testIds.forecast.budgets)).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/q-b \(quota\)department research\$250\.00\$300\.0064 %2026-03-29/),
      expect.stringMatching(/Team A \(budget\)department team-a\$120\.50\$500\.002 %not this period/),
    ]);
    expect(analytics.getBudgetRisks).toHaveBeenCalledWith([quota, budget], 'UTC');
  });

  /** Renders the page for a forecast whose month end is `expectedUsd`, with no budget or quota; resolves once the figure shows. */
  async function renderMonthEnd(
    expectedUsd: string,
    shown: string,
    how: Pick<analytics.Forecast, 'method' | 'method_detail' | 'history_seen'>
  ) {
    const band = {
      expected_usd: expectedUsd,
      lower_80_usd: '0',
      upper_80_usd: expectedUsd,
      lower_95_usd: '0',
      upper_95_usd: expectedUsd,
    };
    jest.mocked(analytics.getForecast).mockResolvedValue({
      ...how,
      history: [{ time: '2026-11-01T00:00:00Z', actual_usd: '1' }],
      points: [{ time: '2026-11-30T00:00:00Z', ...band }],
      month_end: band,
      budgets: [],
    });
    jest.mocked(resources.listQuotas).mockResolvedValue([]);
    jest.mocked(resources.listBudgets).mockResolvedValue([]);
    jest.mocked(analytics.getBudgetRisks).mockResolvedValue([]);
    render(<Forecast />);
    expect((await screen.findAllByText(shown)).length).toBeGreaterThan(0);
    return screen.getByTestId(testIds.forecast.method);
  }

  test("a weighted forecast shows its members' weights in words instead of the field that holds them", async () => {
    const note = await renderMonthEnd('47.91', '$47.91', {
      method: 'weighted',
      method_detail:
        'three methods weighted by their back-test errors on this subject (the weights are in history_seen.weights)',
      history_seen: { days: 63, from: '2026-09-18', weights: { ets: 0.5, weekday_mean: 0.3, seasonal_naive: 0.2 } },
    });
    expect(note).toHaveTextContent(
      'How: three methods weighted by their back-test errors on this subject (Holt-Winters 50 %, weekday mean 30 %, seasonal naive 20 %). From 63 days of history since 2026-09-18.'
    );
  });

  test("a projection from today's rate alone says it is an early estimate", async () => {
    const note = await renderMonthEnd('851', '$851.00', {
      method: 'today_run_rate',
      method_detail:
        "no complete day of usage yet: today's usage per hour since the start of the hour of its first call",
      history_seen: { days: 0, from: null },
    });
    expect(note).toHaveTextContent("Early estimate: today's rate carried to the month end");
    expect(note).toHaveTextContent('It moves with every call until a day of history exists');
  });
});
