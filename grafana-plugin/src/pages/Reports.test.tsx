import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ScheduleModal } from './Reports';
import * as reports from '../api/reports';

jest.mock('../api/reports', () => ({ ...jest.requireActual('../api/reports'), createSchedule: jest.fn() }));

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('ScheduleModal', () => {
  beforeEach(() => jest.clearAllMocks());

  test('asks for a destination, then creates the schedule', async () => {
    jest.mocked(reports.createSchedule).mockResolvedValue({} as reports.ReportSchedule);
    const onSaved = jest.fn();
    render(<ScheduleModal onSaved={onSaved} onDismiss={jest.fn()} />);
    fireEvent.click(screen.getByText('Save'));
    expect(
      screen.getByText('Give at least one destination: a folder, a webhook or e-mail recipients')
    ).toBeInTheDocument();
    type('E-mail recipients', 'cfo@example.org');
    type('Schedule time zone', 'Europe/Paris');
    fireEvent.click(screen.getByRole('radio', { name: 'FOCUS' }));
    fireEvent.click(screen.getByText('Save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(reports.createSchedule).toHaveBeenCalledWith({
      cron: '0 7 1 * *',
      timezone: 'Europe/Paris',
      report: { kind: 'chargeback', format: 'focus', period: 'last_month' },
      destinations: [{ type: 'email', to: ['cfo@example.org'] }],
    });
  });
});
