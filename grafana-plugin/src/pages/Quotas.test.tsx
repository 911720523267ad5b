import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import Quotas from './Quotas';
import * as resources from '../api/resources';
import { ControlPlaneError } from '../api/controlPlane';
import { testIds } from '../components/testIds';

jest.mock('../api/resources', () => ({
  ...jest.requireActual('../api/resources'),
  listQuotas: jest.fn(),
  listBudgets: jest.fn(),
  replaceQuota: jest.fn(),
  deleteQuota: jest.fn(),
}));

const quota: resources.Quota = {
  id: 'research-monthly',
  scope: 'department',
  subject: 'research',
  metric: 'cost',
  period: 'month',
  timezone: 'Europe/Berlin',
  limit: 500,
  enforcement: 'hard',
  thresholds: [0.8, 0.9, 1],
  created_at: '',
  updated_at: '',
  status: {
    quota_id: 'research-monthly',
    metric: 'cost',
    period: 'month',
    timezone: 'Europe/Berlin',
    enforcement: 'hard',
    windows: [
      {
        subject: 'research',
        limit: 500,
        usage: 412.5,
        utilization: 0.825,
        usage_usd: '412.5',
        limit_usd: '500',
        window_start: '',
        next_reset: '2026-12-31T23:00:00Z',
      },
    ],
  },
};

describe('Quotas page', () => {
  beforeEach(() => {
    jest.clearAllMocks();
    (config.bootData.user as { orgRole: string }).orgRole = 'Admin';
    jest.mocked(resources.listQuotas).mockResolvedValue([quota]);
    jest.mocked(resources.listBudgets).mockResolvedValue([]);
  });

  test('lists each quota with its live utilisation and the reset in its own zone', async () => {
    render(<Quotas />);
    const row = await screen.findByTestId('quota-row-research-monthly');
    expect(row).toHaveTextContent('82.5 %');
    expect(row).toHaveTextContent('$412.50 of $500.00');
    expect(row).toHaveTextContent('2027-01-01 00:00');
  });

  test('edit sends the whole quota with PUT under its id', async () => {
    jest.mocked(resources.replaceQuota).mockResolvedValue(quota);
    render(<Quotas />);
    fireEvent.click(await screen.findByLabelText('Edit research-monthly'));
    const form = screen.getByTestId(testIds.quotas.form);
    expect(within(form).getByLabelText('Id')).toBeDisabled();
    fireEvent.change(within(form).getByLabelText('Limit'), { target: { value: '750' } });
    fireEvent.click(screen.getByTestId(testIds.quotas.save));
    await waitFor(() =>
      expect(resources.replaceQuota).toHaveBeenCalledWith('research-monthly', {
        id: 'research-monthly',
        scope: 'department',
        subject: 'research',
        period: 'month',
        timezone: 'Europe/Berlin',
        thresholds: [0.8, 0.9, 1],
        metric: 'cost',
        limit: 750,
        enforcement: 'hard',
      })
    );
    await waitFor(() => expect(resources.listQuotas).toHaveBeenCalledTimes(2));
  });

  test('delete asks first and shows a refusal', async () => {
    jest
      .mocked(resources.deleteQuota)
      .mockRejectedValue(new ControlPlaneError(404, 'not_found', 'quota "research-monthly" not found'));
    render(<Quotas />);
    fireEvent.click(await screen.findByLabelText('Delete research-monthly'));
    expect(resources.deleteQuota).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('quota "research-monthly" not found')).toBeInTheDocument();
    expect(resources.deleteQuota).toHaveBeenCalledWith('research-monthly');
  });

  test('viewers get no write controls', async () => {
    (config.bootData.user as { orgRole: string }).orgRole = 'Viewer';
    render(<Quotas />);
    await screen.findByTestId('quota-row-research-monthly');
    expect(screen.queryByTestId(testIds.quotas.create)).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Edit research-monthly')).not.toBeInTheDocument();
  });
});
