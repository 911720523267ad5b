import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import Reports, { ScheduleModal } from './Reports';
import { config } from '@grafana/runtime';
import * as reports from '../api/reports';
import { ControlPlaneError } from '../api/controlPlane';

jest.mock('../api/reports', () => ({
  ...jest.requireActual('../api/reports'),
  createSchedule: jest.fn(),
  runReport: jest.fn(),
  saveFile: jest.fn(),
  listSchedules: jest.fn(),
  listRuns: jest.fn(),
  runScheduleNow: jest.fn(),
}));

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
    fireEvent.click(screen.getByLabelText('FOCUS'));
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

describe('ScheduleModal refusals', () => {
  beforeEach(() => jest.clearAllMocks());

  test("shows the control plane's refusal of the name and of the folder under those fields", async () => {
    jest.mocked(reports.createSchedule).mockRejectedValue(
      new ControlPlaneError(400, 'invalid_request', 'invalid request body: name: too long (and 1 more)', [
        { path: 'name', message: 'at most 128 characters' },
        { path: 'destinations[0].path', message: 'must be inside the reports directory' },
      ])
    );
    render(<ScheduleModal onSaved={jest.fn()} onDismiss={jest.fn()} />);
    type('Schedule name', 'x'.repeat(200));
    type('Folder', '/etc');
    fireEvent.click(screen.getByText('Save'));
    // Each under its field (an alert of its own), besides the form-level alert that lists every detail.
    const fieldErrors = () => screen.queryAllByRole('alert').map((element) => element.textContent);
    await waitFor(() => expect(fieldErrors()).toContain('must be inside the reports directory'));
    expect(fieldErrors()).toContain('at most 128 characters');
    expect(screen.getByLabelText('Folder')).toHaveValue('/etc');
  });
});

describe('Reports page', () => {
  beforeEach(() => {
    jest.clearAllMocks();
    (config.bootData.user as { orgRole: string }).orgRole = 'Admin';
  });

  test('runs a report now with the chosen kind, period and format and saves the file', async () => {
    jest.mocked(reports.listSchedules).mockResolvedValue([]);
    const blob = new Blob(['a,b\n']);
    jest.mocked(reports.runReport).mockResolvedValue({ blob, filename: 'tokenmeter-usage-focus.csv' });
    render(<Reports />);
    fireEvent.click(screen.getByLabelText('Last month'));
    fireEvent.click(screen.getAllByLabelText('FOCUS')[0]!);
    fireEvent.click(screen.getByText('Run now'));
    await waitFor(() => expect(reports.saveFile).toHaveBeenCalledWith(blob, 'tokenmeter-usage-focus.csv'));
    expect(reports.runReport).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'usage', format: 'focus', period: 'last_month' })
    );
    expect(screen.getByText(/Saved tokenmeter-usage-focus.csv/)).toBeInTheDocument();
  });

  test('a schedule runs now and shows its run history', async () => {
    jest.mocked(reports.listSchedules).mockResolvedValue([
      {
        id: 's1',
        name: 'Monthly PDF',
        cron: '0 7 1 * *',
        timezone: 'Europe/Berlin',
        report: { kind: 'chargeback', format: 'pdf', period: 'last_month' },
        destinations: [{ type: 'email', to: ['cfo@x.org'] }],
      },
    ]);
    jest
      .mocked(reports.runScheduleNow)
      .mockResolvedValue({ id: 'r1', started_at: '2026-12-01T06:00:00Z', status: 'running' });
    jest.mocked(reports.listRuns).mockResolvedValue([
      {
        id: 'r1',
        started_at: '2026-12-01T06:00:00Z',
        finished_at: '2026-12-01T06:00:03Z',
        status: 'succeeded',
        size_bytes: 20480,
        delivered: ['email'],
      },
    ]);
    render(<Reports />);
    fireEvent.click(await screen.findByText(/Monthly PDF · chargeback pdf · 0 7 1 \* \* \(Europe\/Berlin\)/));
    fireEvent.click(screen.getAllByText('Run now')[1]!);
    await waitFor(() => expect(reports.runScheduleNow).toHaveBeenCalledWith('s1'));
    expect(await screen.findByText('succeeded')).toBeInTheDocument();
    expect(screen.getByText('20,480')).toBeInTheDocument();
    expect(screen.getByText('cfo@x.org', { exact: false })).toBeInTheDocument();
  });
});
