import React, { type ReactNode } from 'react';
import { EmptyState, ErrorBoundaryAlert, LoadingPlaceholder } from '@grafana/ui';
import type { ApiState } from '../../utils/useApi';
import { ApiErrorAlert } from './ApiErrorAlert';
import { testIds } from '../testIds';

/** Title of the error shown when rendering an answer fails (also checked by the browser test). */
export const UNEXPECTED_ANSWER = 'The control plane answered in a shape this page does not understand';

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
  // An answer in a shape this page does not expect shows as an error here, not as a blank page.
  return (
    <ErrorBoundaryAlert title={UNEXPECTED_ANSWER} style="alertbox" dependencies={[state.data]}>
      {children(state.data)}
    </ErrorBoundaryAlert>
  );
}
