import React from 'react';
import { listRuns, type ReportRun } from '../../api/reports';
import { formatCount } from '../../utils/money';
import { formatTime } from '../../utils/time';
import { useApi } from '../../utils/useApi';
import { DataTable } from '../common/DataTable';
import { Loadable } from '../common/Loadable';

/** The run history of one schedule. */
export function ScheduleRuns({ id, tz, refresh }: { id: string; tz: string; refresh: number }) {
  const state = useApi(() => listRuns(id), [id, refresh]);
  return (
    <Loadable state={state} what="runs" isEmpty={(d) => d.length === 0}>
      {(runs) => (
        <DataTable<ReportRun>
          rowKey={(r) => r.id}
          rows={runs}
          columns={[
            { id: 'started', header: 'Started', render: (r) => formatTime(r.started_at, tz) },
            { id: 'finished', header: 'Finished', render: (r) => formatTime(r.finished_at, tz) },
            { id: 'status', header: 'Status', render: (r) => r.status },
            {
              id: 'size',
              header: 'Size (bytes)',
              numeric: true,
              render: (r) => formatCount(r.size_bytes ?? undefined),
            },
            { id: 'delivered', header: 'Delivered to', render: (r) => (r.delivered ?? []).join(', ') || '—' },
            { id: 'error', header: 'Error', render: (r) => r.error ?? '' },
          ]}
        />
      )}
    </Loadable>
  );
}
