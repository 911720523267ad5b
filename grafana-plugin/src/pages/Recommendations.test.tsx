import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import Recommendations from './Recommendations';
import * as analytics from '../api/analytics';
import { ControlPlaneError } from '../api/controlPlane';
import { testIds } from '../components/testIds';

jest.mock('../api/analytics', () => ({
  ...jest.requireActual('../api/analytics'),
  getRecommendations: jest.fn(),
  dismissRecommendation: jest.fn(),
}));

const rec = (
  id: string,
  title: string,
  savings: string,
  difficulty: analytics.Difficulty
): analytics.Recommendation => ({
  id,
  kind: 'model_selection',
  title,
  subject: { scope: 'feature', name: 'search' },
  estimated_monthly_savings_usd: savings,
  difficulty,
  confidence: 0.8,
  evidence: { calls: 1200, avg_output_tokens: 40 },
});

describe('Recommendations page', () => {
  beforeEach(() => {
    jest.clearAllMocks();
    (config.bootData.user as { orgRole: string }).orgRole = 'Admin';
  });

  test('lists by savings, re-sorts by difficulty, shows the evidence', async () => {
    jest
      .mocked(analytics.getRecommendations)
      .mockResolvedValue([
        rec('a', 'Cache the prefix', '12.50', 'medium'),
        rec('b', 'Use gpt-4o-mini', '120.00', 'low'),
        rec('c', 'Batch nightly', '40', 'high'),
      ]);
    render(<Recommendations />);
    const table = await screen.findByTestId(testIds.recommendations.table);
    const titles = () =>
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => within(r).getByText(/Cache|Use|Batch/).textContent);
    expect(titles()).toEqual(['Use gpt-4o-mini', 'Batch nightly', 'Cache the prefix']);
    fireEvent.click(within(table).getByText('Difficulty'));
    expect(titles()).toEqual(['Batch nightly', 'Cache the prefix', 'Use gpt-4o-mini']);
    fireEvent.click(within(table).getByText('Difficulty'));
    expect(titles()).toEqual(['Use gpt-4o-mini', 'Cache the prefix', 'Batch nightly']);
    expect(within(table).getAllByText('avg_output_tokens')).toHaveLength(3);
    expect(within(table).getByText('$120.00')).toBeInTheDocument();
  });

  test('dismiss needs a reason, sends it, and reloads', async () => {
    jest
      .mocked(analytics.getRecommendations)
      .mockResolvedValueOnce([rec('b', 'Use gpt-4o-mini', '120', 'low')])
      .mockResolvedValueOnce([]);
    jest.mocked(analytics.dismissRecommendation).mockResolvedValue(undefined);
    render(<Recommendations />);
    fireEvent.click(await screen.findByLabelText('Dismiss b'));
    const confirm = screen
      .getAllByText('Dismiss')
      .find((e) => e.closest('button') && !e.closest('[aria-label]'))!
      .closest('button')!;
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'quality matters more here' } });
    fireEvent.click(confirm);
    await waitFor(() => expect(analytics.dismissRecommendation).toHaveBeenCalledWith('b', 'quality matters more here'));
    expect(await screen.findByText('No recommendations yet')).toBeInTheDocument();
  });

  test("shows the API's error when recommendations are not served", async () => {
    jest
      .mocked(analytics.getRecommendations)
      .mockRejectedValue(new ControlPlaneError(404, 'not_found', 'no route GET /api/v1/analytics/recommendations'));
    render(<Recommendations />);
    expect(await screen.findByText('This control plane does not serve this yet')).toBeInTheDocument();
    expect(screen.getByText('no route GET /api/v1/analytics/recommendations')).toBeInTheDocument();
  });
});
