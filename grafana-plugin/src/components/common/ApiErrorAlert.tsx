import React from 'react';
import { Alert, Button } from '@grafana/ui';
import type { ControlPlaneError } from '../../api/controlPlane';
import { testIds } from '../testIds';

/** The API's own message and per-field details, with a retry. */
export function ApiErrorAlert({
  error,
  title,
  onRetry,
}: {
  error: ControlPlaneError;
  title?: string;
  onRetry?: () => void;
}) {
  const heading =
    title ??
    (error.status === 404 && error.message.startsWith('no route')
      ? 'This control plane does not serve this yet'
      : error.status === 403
        ? 'Not allowed'
        : 'The control plane refused or failed');
  return (
    <Alert severity="error" title={heading} data-testid={testIds.common.error}>
      <div>{error.message}</div>
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <Button size="sm" variant="secondary" icon="sync" onClick={onRetry}>
          Retry
        </Button>
      )}
    </Alert>
  );
}
