import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, Button, Field, Input, Modal, useStyles2 } from '@grafana/ui';
import { dismissRecommendation, evidenceRows, getRecommendations, type Recommendation } from '../api/analytics';
import { toControlPlaneError, type ControlPlaneError } from '../api/controlPlane';
import { ApiErrorAlert } from '../components/common/ApiErrorAlert';
import { DataTable } from '../components/common/DataTable';
import { Loadable } from '../components/common/Loadable';
import { canWrite, useSettings } from '../components/common/settings';
import { testIds } from '../components/testIds';
import { formatPercent, formatUsd } from '../utils/money';
import { byDifficulty, bySavings } from '../components/recommendations/sort';
import { useApi } from '../utils/useApi';

const DIFFICULTY_COLOR = { low: 'green', medium: 'orange', high: 'red' } as const;

function Evidence({ r }: { r: Recommendation }) {
  const s = useStyles2(getStyles);
  const rows = evidenceRows(r.evidence);
  return (
    <dl className={s.evidence}>
      {rows.map((e) => (
        <React.Fragment key={e.label}>
          <dt>{e.label}</dt>
          <dd>{e.value}</dd>
        </React.Fragment>
      ))}
      {r.period && (
        <>
          <dt>period</dt>
          <dd>
            {r.period.from.slice(0, 10)} → {r.period.to.slice(0, 10)}
          </dd>
        </>
      )}
    </dl>
  );
}

function Recommendations() {
  const { tz } = useSettings();
  const writable = canWrite();
  const state = useApi(() => getRecommendations({ tz }), [tz]);
  const [dismissing, setDismissing] = useState<Recommendation>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ControlPlaneError>();

  const dismiss = async () => {
    try {
      await dismissRecommendation(dismissing!.id, reason.trim());
      setDismissing(undefined);
      setReason('');
      setError(undefined);
      state.reload();
    } catch (e) {
      setError(toControlPlaneError(e));
    }
  };

  return (
    <PluginPage>
      <div data-testid={testIds.recommendations.container}>
        <Loadable state={state} what="recommendations" isEmpty={(d) => d.length === 0}>
          {(list) => (
            <DataTable<Recommendation>
              testId={testIds.recommendations.table}
              rowKey={(r) => r.id}
              rows={list}
              initialSort={{ id: 'savings', desc: true }}
              columns={[
                {
                  id: 'title',
                  header: 'Recommendation',
                  render: (r) => (
                    <div>
                      <strong>{r.title}</strong>
                      <div>
                        {r.kind} · {r.subject.scope} <code>{r.subject.name}</code>
                      </div>
                    </div>
                  ),
                },
                { id: 'evidence', header: 'Evidence', render: (r) => <Evidence r={r} /> },
                {
                  id: 'savings',
                  header: 'Savings / month',
                  numeric: true,
                  render: (r) => formatUsd(r.estimated_monthly_savings_usd),
                  compare: bySavings,
                },
                {
                  id: 'difficulty',
                  header: 'Difficulty',
                  render: (r) => (
                    <Badge color={DIFFICULTY_COLOR[r.difficulty]} text={r.difficulty} tooltip={r.difficulty_reason} />
                  ),
                  compare: byDifficulty,
                },
                {
                  id: 'confidence',
                  header: 'Confidence',
                  numeric: true,
                  render: (r) => formatPercent(r.confidence, 0),
                },
                {
                  id: 'actions',
                  header: '',
                  render: (r) =>
                    writable ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => setDismissing(r)}
                        aria-label={`Dismiss ${r.id}`}
                      >
                        Dismiss
                      </Button>
                    ) : null,
                },
              ]}
            />
          )}
        </Loadable>
      </div>
      {dismissing && (
        <Modal title={`Dismiss "${dismissing.title}"?`} isOpen onDismiss={() => setDismissing(undefined)}>
          <p>It does not come back unless its evidence grows substantially. The dismissal is audited.</p>
          <Field
            label="Reason"
            invalid={reason.trim() === ''}
            error={reason.trim() === '' ? 'Say why (audited)' : undefined}
          >
            <Input aria-label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          </Field>
          {error && <ApiErrorAlert error={error} title="Dismiss refused" />}
          <Modal.ButtonRow>
            <Button variant="secondary" fill="outline" onClick={() => setDismissing(undefined)}>
              Cancel
            </Button>
            <Button disabled={reason.trim() === ''} onClick={() => void dismiss()}>
              Dismiss
            </Button>
          </Modal.ButtonRow>
        </Modal>
      )}
    </PluginPage>
  );
}

export default Recommendations;

const getStyles = (theme: GrafanaTheme2) => ({
  evidence: css({
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    gap: theme.spacing(0, 1),
    margin: 0,
    fontSize: theme.typography.bodySmall.fontSize,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0 },
  }),
});
