import { useCallback, useEffect, useState } from 'react';
import { toControlPlaneError, type ControlPlaneError } from '../api/controlPlane';

export interface ApiState<T> {
  loading: boolean;
  error?: ControlPlaneError;
  /** The latest answer (kept while a reload runs, so the page does not flicker). */
  data?: T;
  /** Loads again (after a write, or on "retry"). */
  reload: () => void;
}

/**
 * Runs `load` on mount and whenever `deps` (JSON-serialisable) change; an
 * answer that arrives after newer deps is dropped.
 */
export function useApi<T>(load: () => Promise<T>, deps: unknown[]): ApiState<T> {
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([deps, tick]);
  const [result, setResult] = useState<{ key?: string; data?: T; error?: ControlPlaneError }>({});

  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setResult({ key, data }),
      (e) => current && setResult((old) => ({ key, data: old.data, error: toControlPlaneError(e) }))
    );
    return () => {
      current = false;
    };
    // `key` stands for `deps` and the reload tick.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const loading = result.key !== key;
  return { loading, data: result.data, error: loading ? undefined : result.error, reload };
}
