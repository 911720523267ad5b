import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import Allocation from './Allocation';
import * as analytics from '../api/analytics';
import * as reports from '../api/reports';
import { testIds } from '../components/testIds';

jest.mock('../api/analytics', () => ({ ...jest.requireActual('../api/analytics'), getAllocation: jest.fn() }));
jest.mock('../api/reports', () => ({
  ...jest.requireActual('../api/reports'),
  runReport: jest.fn(),
  saveFile: jest.fn(),
}));

const allocation = (reconciled: boolean): analytics.Allocation => ({
  from: '2026-03-01',
  to: '2026-04-01',
  shared: 'proportional',
  levels: ['org', 'department', 'feature', 'investigation'],
  rows: [
    { path: ['acme'], direct_usd: '90', shared_usd: '10', total_usd: '100', requests: 1000, tokens: 2000000 },
    {
      path: ['acme', 'research'],
      direct_usd: '60',
      shared_usd: '6.666666666667',
      total_usd: '66.666666666667',
      requests: 600,
    },
    {
      path: ['acme', 'research', 'search'],
      direct_usd: '60',
      shared_usd: '6.666666666667',
      total_usd: '66.666666666667',
    },
  ],
  reconciliation: {
    ledger_total_usd: '100',
    allocated_total_usd: reconciled ? '100' : '99.999999999999',
    difference_usd: reconciled ? '0' : '0.000000000001',
    reconciled,
  },
});

describe('Cost allocation page', () => {
  beforeEach(() => jest.clearAllMocks());

  test('shows the reconciliation and the hierarchy, expanding on demand', async () => {
    jest.mocked(analytics.getAllocation).mockResolvedValue(allocation(true));
    render(<Allocation />);
    const table = await screen.findByTestId(testIds.allocation.table);
    expect(screen.getByTestId(testIds.allocation.reconciliation)).toHaveTextContent('Reconciled with the ledger');
    expect(screen.getByTestId(testIds.allocation.reconciliation)).toHaveTextContent(
      'Ledger total $100.000000 · allocated $100.000000 · difference $0.000000'
    );
    expect(within(table).queryByText('research')).not.toBeInTheDocument();
    fireEvent.click(within(table).getByLabelText('Expand acme'));
    expect(within(table).getByText('research')).toBeInTheDocument();
    expect(within(table).getAllByText('$66.67')).toHaveLength(1);
    expect(within(table).getByText('2,000,000')).toBeInTheDocument();
  });

  test('a difference with the ledger is shown as an error', async () => {
    jest.mocked(analytics.getAllocation).mockResolvedValue(allocation(false));
    render(<Allocation />);
    expect(await screen.findByText('Does not reconcile with the ledger')).toBeInTheDocument();
  });

  test('the shared-cost method and the period go to the API; exports ask for the chargeback report', async () => {
    jest.mocked(analytics.getAllocation).mockResolvedValue(allocation(true));
    const blob = new Blob(['x']);
    jest.mocked(reports.runReport).mockResolvedValue({ blob, filename: 'chargeback.pdf' });
    render(<Allocation />);
    await screen.findByTestId(testIds.allocation.table);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-04-01' } });
    fireEvent.click(screen.getByLabelText('Evenly'));
    await waitFor(() =>
      expect(analytics.getAllocation).toHaveBeenLastCalledWith(
        expect.objectContaining({ from: '2026-03-01', to: '2026-04-01', shared: 'even' })
      )
    );
    fireEvent.click(screen.getByText('PDF'));
    await waitFor(() => expect(reports.saveFile).toHaveBeenCalledWith(blob, 'chargeback.pdf'));
    expect(reports.runReport).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: 'chargeback',
        format: 'pdf',
        period: { from: '2026-03-01', to: '2026-04-01' },
        shared: 'even',
      })
    );
  });

  test('an invalid period is not sent', async () => {
    jest.mocked(analytics.getAllocation).mockResolvedValue(allocation(true));
    render(<Allocation />);
    await screen.findByTestId(testIds.allocation.table);
    const calls = jest.mocked(analytics.getAllocation).mock.calls.length;
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2020-01-01' } });
    expect(await screen.findByText('Enter a period: two dates YYYY-MM-DD, "from" before "to"')).toBeInTheDocument();
    expect(jest.mocked(analytics.getAllocation).mock.calls.length).toBe(calls);
  });
});
