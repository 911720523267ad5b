import { useState } from 'react';
import { toControlPlaneError, type ControlPlaneError } from '../api/controlPlane';

/**
 * A delete behind a confirmation: `ask(target)` opens it, `confirm()` deletes
 * (then `onDeleted`), and a refusal is kept in `error` with the API's message.
 */
export function useConfirmedDelete<T>(remove: (target: T) => Promise<unknown>, onDeleted: () => void) {
  const [target, setTarget] = useState<T>();
  const [error, setError] = useState<ControlPlaneError>();
  const confirm = async (): Promise<void> => {
    if (target === undefined) {
      return;
    }
    try {
      await remove(target);
      setError(undefined);
      onDeleted();
    } catch (e) {
      setError(toControlPlaneError(e));
    } finally {
      setTarget(undefined);
    }
  };
  return { target, error, ask: setTarget, dismiss: () => setTarget(undefined), confirm };
}
