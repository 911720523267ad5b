import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { QuotaFormModal } from './QuotaFormModal';
import { emptyForm } from './quotaForm';
import { ControlPlaneError } from '../../api/controlPlane';
import * as resources from '../../api/resources';
import * as analytics from '../../api/analytics';
import { testIds } from '../testIds';

jest.mock('../../api/resources', () => ({
  ...jest.requireActual('../../api/resources'),
  createQuota: jest.fn(),
  replaceQuota: jest.fn(),
  createBudget: jest.fn(),
}));
jest.mock('../../api/analytics', () => ({
  ...jest.requireActual('../../api/analytics'),
  getQuotaSuggestions: jest.fn(),
}));

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

function renderForm(kind: 'quota' | 'budget' = 'quota') {
  const onSaved = jest.fn();
  render(<QuotaFormModal initial={emptyForm(kind, 'UTC')} editing={false} onSaved={onSaved} onDismiss={jest.fn()} />);
  return onSaved;
}

describe('QuotaFormModal', () => {
  beforeEach(() => jest.clearAllMocks());

  test('shows what to fix and sends nothing while the form is invalid', async () => {
    renderForm();
    type('Limit', '0');
    fireEvent.click(screen.getByTestId(testIds.quotas.save));
    expect(await screen.findByText('Must be greater than 0')).toBeInTheDocument();
    expect(screen.getByText('Name the subject, or "*" for every subject of the scope')).toBeInTheDocument();
    expect(resources.createQuota).not.toHaveBeenCalled();
  });

  test('sends the quota and closes on success', async () => {
    jest.mocked(resources.createQuota).mockResolvedValue({} as resources.Quota);
    const onSaved = renderForm();
    type('Subject', 'research');
    type('Limit', '500');
    fireEvent.click(screen.getByLabelText('hard'));
    fireEvent.click(screen.getByTestId(testIds.quotas.save));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(resources.createQuota).toHaveBeenCalledWith({
      scope: 'department',
      subject: 'research',
      period: 'month',
      timezone: 'UTC',
      thresholds: [0.8, 0.9, 1],
      metric: 'cost',
      limit: 500,
      enforcement: 'hard',
    });
  });

  test("shows the API's message and field details when it refuses, and stays open", async () => {
    jest
      .mocked(resources.createQuota)
      .mockRejectedValue(
        new ControlPlaneError(400, 'invalid_request', 'invalid request body: timezone: must be an IANA time zone', [
          { path: 'timezone', message: 'must be an IANA time zone such as "Europe/Berlin"' },
        ])
      );
    const onSaved = renderForm();
    type('Subject', 'research');
    type('Limit', '5');
    fireEvent.click(screen.getByTestId(testIds.quotas.save));
    expect(await screen.findByText('invalid request body: timezone: must be an IANA time zone')).toBeInTheDocument();
    // The detail is listed in the alert and marks the field its path names.
    expect(screen.getAllByText('must be an IANA time zone such as "Europe/Berlin"')).toHaveLength(2);
    expect(screen.getByLabelText('Time zone')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Time zone')).toHaveValue('UTC');
    expect(onSaved).not.toHaveBeenCalled();
  });

  test('a budget is sent to the budgets API with its amount', async () => {
    jest.mocked(resources.createBudget).mockResolvedValue({} as resources.Budget);
    const onSaved = renderForm('budget');
    expect(screen.queryByLabelText('hard')).not.toBeInTheDocument();
    type('Subject', 'acme');
    type('Limit', '1000');
    fireEvent.click(screen.getByTestId(testIds.quotas.save));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(resources.createBudget).toHaveBeenCalledWith(expect.objectContaining({ subject: 'acme', amount: 1000 }));
  });

  test('"suggest from baseline" fills the limit from the suggestion for this subject and says where it came from', async () => {
    jest.mocked(analytics.getQuotaSuggestions).mockResolvedValue([
      { scope: 'department', subject: 'other', metric: 'cost', period: 'month', suggested_limit: 1 },
      {
        scope: 'department',
        subject: 'research',
        metric: 'cost',
        period: 'month',
        suggested_limit: 420,
        suggested_limit_usd: '420',
        crossing_rate: 0.05,
        baseline: { days: 30, p50_usd: '300', p95_usd: '400.125', max_usd: '410' },
      },
    ]);
    renderForm();
    type('Subject', 'research');
    fireEvent.click(screen.getByTestId(testIds.quotas.suggest));
    expect(
      await screen.findByText(
        /Suggested \$420\.00 from the last 30 days \(per month: median \$300\.00, p95 \$400\.13, max \$410\.00\); it would have been crossed in 5 %/
      )
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Limit')).toHaveValue('420');
    expect(analytics.getQuotaSuggestions).toHaveBeenCalledWith({
      scope: 'department',
      metric: 'cost',
      period: 'month',
      subject: 'research',
    });
  });

  test('"suggest from baseline" shows the API error when there is no such endpoint', async () => {
    jest
      .mocked(analytics.getQuotaSuggestions)
      .mockRejectedValue(new ControlPlaneError(404, 'not_found', 'no route GET /api/v1/analytics/quota-suggestions'));
    renderForm();
    fireEvent.click(screen.getByTestId(testIds.quotas.suggest));
    expect(await screen.findByText('no route GET /api/v1/analytics/quota-suggestions')).toBeInTheDocument();
    expect(screen.getByLabelText('Limit')).toHaveValue('');
  });
});
