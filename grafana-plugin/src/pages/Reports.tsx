import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Collapse, ConfirmModal, Field, Modal, RadioButtonGroup, Stack } from '@grafana/ui';
import { toControlPlaneError, type ControlPlaneError } from '../api/controlPlane';
import {
  REPORT_FORMATS,
  REPORT_KINDS,
  REPORT_PERIODS,
  createSchedule,
  deleteSchedule,
  listSchedules,
  runReport,
  runScheduleNow,
  saveFile,
  type ReportFormat,
  type ReportKind,
  type ReportSchedule,
} from '../api/reports';
import { ApiErrorAlert } from '../components/common/ApiErrorAlert';
import { Loadable } from '../components/common/Loadable';
import { Section } from '../components/common/Section';
import { canWrite, useSettings } from '../components/common/settings';
import { ScheduleRuns } from '../components/reports/ScheduleRuns';
import { emptySchedule, validateSchedule } from '../components/reports/scheduleForm';
import { testIds } from '../components/testIds';
import { formatTime } from '../utils/time';
import { useApi } from '../utils/useApi';
import { useValidatedSubmit } from '../utils/useValidatedSubmit';
import { TextField } from '../components/common/TextField';

/** Options labelled for people: "month_to_date" → "Month to date", "focus" → "FOCUS". */
const opts = <T extends string>(values: readonly T[]) =>
  values.map((v) => ({
    label:
      v === 'focus'
        ? 'FOCUS'
        : ['csv', 'json', 'pdf'].includes(v)
          ? v.toUpperCase()
          : (v.charAt(0).toUpperCase() + v.slice(1)).replace(/_/g, ' '),
    value: v,
  }));

function RunNow() {
  const { tz } = useSettings();
  const [kind, setKind] = useState<ReportKind>('usage');
  const [format, setFormat] = useState<ReportFormat>('csv');
  const [period, setPeriod] = useState<string>('month_to_date');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ControlPlaneError>();
  const [done, setDone] = useState<string>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const { blob, filename } = await runReport({ kind, format, period, timezone: tz });
      saveFile(blob, filename);
      setDone(`${filename} (${blob.size} bytes)`);
    } catch (e) {
      setError(toControlPlaneError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid={testIds.reports.run}>
      <Stack gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="Kind">
          <RadioButtonGroup options={opts(REPORT_KINDS)} value={kind} onChange={(v) => setKind(v)} />
        </Field>
        <Field label="Period">
          <RadioButtonGroup options={opts(REPORT_PERIODS)} value={period} onChange={(v) => setPeriod(v)} />
        </Field>
        <Field label="Format">
          <RadioButtonGroup options={opts(REPORT_FORMATS)} value={format} onChange={(v) => setFormat(v)} />
        </Field>
        <Button icon="download-alt" disabled={busy} onClick={() => void run()} style={{ marginBottom: 16 }}>
          {busy ? 'Running…' : 'Run now'}
        </Button>
      </Stack>
      {done && <Alert severity="success" title={`Saved ${done}`} />}
      {error && <ApiErrorAlert error={error} title="The report failed" />}
    </div>
  );
}

export function ScheduleModal({ onSaved, onDismiss }: { onSaved: () => void; onDismiss: () => void }) {
  const { tz } = useSettings();
  const form = useValidatedSubmit({
    initial: () => emptySchedule(tz),
    validate: validateSchedule,
    send: (body) => createSchedule(body),
    onSaved,
    // A destination's fields, as the API names them.
    aliases: { path: 'folder', url: 'webhook', to: 'emails' },
  });
  const { values, set, errors, apiError, onSubmit } = form;
  return (
    <Modal title="New report schedule" isOpen onDismiss={onDismiss}>
      <form onSubmit={onSubmit}>
        <TextField form={form} field="name" label="Name" inputLabel="Schedule name" />
        <Stack gap={2}>
          <TextField form={form} field="cron" label="Cron" description="minute hour day month weekday" />
          <TextField form={form} field="timezone" label="Time zone" inputLabel="Schedule time zone" />
        </Stack>
        {/* One group per row: side by side, the three do not fit the modal and their options were cut to an ellipsis. */}
        <Field label="Kind" invalid={!!errors.kind} error={errors.kind}>
          <RadioButtonGroup options={opts(REPORT_KINDS)} value={values.kind} onChange={(v) => set('kind', v)} />
        </Field>
        <Field label="Period" invalid={!!errors.period} error={errors.period}>
          <RadioButtonGroup options={opts(REPORT_PERIODS)} value={values.period} onChange={(v) => set('period', v)} />
        </Field>
        <Field label="Format" invalid={!!errors.format} error={errors.format}>
          <RadioButtonGroup options={opts(REPORT_FORMATS)} value={values.format} onChange={(v) => set('format', v)} />
        </Field>
        <TextField form={form} field="folder" label="Folder" description="On the control plane's host" />
        <TextField form={form} field="webhook" label="Webhook URL" />
        <TextField
          form={form}
          field="emails"
          label="E-mail recipients"
          description="SMTP is configured on the control plane"
        />
        {errors.destinations && <Alert severity="warning" title={errors.destinations} />}
        {apiError && <ApiErrorAlert error={apiError} title="The control plane refused this" />}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            Cancel
          </Button>
          <Button type="submit">Save</Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}

function ScheduleItem({
  s,
  tz,
  writable,
  onChanged,
}: {
  s: ReportSchedule;
  tz: string;
  writable: boolean;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [error, setError] = useState<ControlPlaneError>();
  const [deleting, setDeleting] = useState(false);
  const runNow = async () => {
    setError(undefined);
    try {
      await runScheduleNow(s.id);
      setOpen(true);
      setRefresh((n) => n + 1);
    } catch (e) {
      setError(toControlPlaneError(e));
    }
  };
  const remove = async () => {
    try {
      await deleteSchedule(s.id);
      onChanged();
    } catch (e) {
      setError(toControlPlaneError(e));
    } finally {
      setDeleting(false);
    }
  };
  const label = `${s.name ?? s.id} · ${s.report.kind} ${s.report.format} · ${s.cron} (${s.timezone})${s.next_run ? ` · next ${formatTime(s.next_run, tz)}` : ''}`;
  return (
    <>
      <Collapse label={label} isOpen={open} onToggle={() => setOpen(!open)}>
        {writable && (
          <Stack gap={1}>
            <Button size="sm" icon="play" onClick={() => void runNow()}>
              Run now
            </Button>
            <Button size="sm" variant="destructive" icon="trash-alt" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </Stack>
        )}
        <p>Destinations: {s.destinations.map((d) => d.path ?? d.url ?? d.to?.join(', ') ?? d.type).join(' · ')}</p>
        {error && <ApiErrorAlert error={error} />}
        {open && <ScheduleRuns id={s.id} tz={tz} refresh={refresh} />}
      </Collapse>
      {deleting && (
        <ConfirmModal
          isOpen
          title={`Delete schedule ${s.name ?? s.id}?`}
          body="Its run history goes too."
          confirmText="Delete"
          onConfirm={() => void remove()}
          onDismiss={() => setDeleting(false)}
        />
      )}
    </>
  );
}

function Reports() {
  const { tz } = useSettings();
  const writable = canWrite();
  const schedules = useApi(listSchedules, []);
  const [creating, setCreating] = useState(false);
  return (
    <PluginPage>
      <div data-testid={testIds.reports.container}>
        <Section title="Run a report now">
          <RunNow />
        </Section>
        <Section
          title="Schedules"
          testId={testIds.reports.schedules}
          actions={
            writable && (
              <Button icon="plus" onClick={() => setCreating(true)}>
                New schedule
              </Button>
            )
          }
        >
          <Loadable state={schedules} what="report schedules" isEmpty={(d) => d.length === 0}>
            {(list) => (
              <>
                {list.map((s) => (
                  <ScheduleItem key={s.id} s={s} tz={tz} writable={writable} onChanged={schedules.reload} />
                ))}
              </>
            )}
          </Loadable>
        </Section>
      </div>
      {creating && (
        <ScheduleModal
          onDismiss={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            schedules.reload();
          }}
        />
      )}
    </PluginPage>
  );
}

export default Reports;
