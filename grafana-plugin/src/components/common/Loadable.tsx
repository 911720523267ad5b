import React, { type ReactNode } from 'react';
import { EmptyState, LoadingPlaceholder } from '@grafana/ui';
import type { ApiState } from '../../utils/useApi';
import { ApiErrorAlert } from './ApiErrorAlert';
import { testIds } from '../testIds';

interface Props<T> {
  state: ApiState<T>;
  /** What loads, for the loading text ("Loading quotas…"). */
  what: string;
  isEmpty?: (data: T) => boolean;
  /** Shown instead of the content when `isEmpty` says so. */
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** Loading, error (the API's message, retry), empty, or the content. */
export function Loadable<T>({ state, what, isEmpty, empty, children }: Props<T>) {
  if (state.error) {
    return <ApiErrorAlert error={state.error} onRetry={state.reload} />;
  }
  if (state.data === undefined) {
    return <LoadingPlaceholder text={`Loading ${what}…`} data-testid={testIds.common.loading} />;
  }
  if (isEmpty?.(state.data)) {
    return (
      <div data-testid={testIds.common.empty}>
        {empty ?? <EmptyState variant="not-found" hideImage message={`No ${what} yet`} />}
      </div>
    );
  }
  return <>{children(state.data)}</>;
}
