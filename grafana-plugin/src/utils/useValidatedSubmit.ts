import { useRef, useState, type FormEvent } from 'react';
import { toControlPlaneError, type ControlPlaneError, type ErrorDetail } from '../api/controlPlane';

/** A form's own check: the request body, or a message per field to fix. */
export type Validation<B, K extends string> = { ok: true; body: B } | { ok: false; errors: Partial<Record<K, string>> };

export interface ValidatedSubmitOptions<V extends object, B, K extends string, R> {
  /** The values the form opens with, and returns to after a success (see `resetOnSuccess`). */
  initial: V | (() => V);
  validate: (values: V) => Validation<B, K>;
  /** The API call, run only when `validate` passed. */
  send: (body: B, values: V) => Promise<R>;
  onSaved?: (result: R) => void;
  /** Back to `initial` after a success (default); false keeps what was typed. */
  resetOnSuccess?: boolean;
  /** The form's name for an API field it calls otherwise, e.g. `{ amount: 'limit' }`. */
  aliases?: Partial<Record<string, NoInfer<K>>>;
}

/**
 * A form that checks its values, then sends them: `submit()` sends nothing
 * while a field is wrong or a send is in flight; the API's refusal is kept in
 * `apiError` (the form-level alert) and each of its `details` whose path names
 * a field of the values (`prices.input` → `input`, `thresholds[0]` →
 * `thresholds`) also marks that field. What was typed stays until a success.
 */
export function useValidatedSubmit<V extends object, B, K extends string, R>({
  initial,
  validate,
  send,
  onSaved,
  resetOnSuccess = true,
  aliases = {},
}: ValidatedSubmitOptions<V, B, K, R>) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Partial<Record<K, string>>>({});
  const [apiError, setApiError] = useState<ControlPlaneError>();
  const [submitting, setSubmitting] = useState(false);
  // State lags a render behind: a second click in the same tick must see the first.
  const inFlight = useRef(false);

  const submit = async (): Promise<void> => {
    if (inFlight.current) {
      return;
    }
    const v = validate(values);
    if (!v.ok) {
      setErrors(v.errors);
      return;
    }
    inFlight.current = true;
    setErrors({});
    setApiError(undefined);
    setSubmitting(true);
    try {
      const result = await send(v.body, values);
      if (resetOnSuccess) {
        setValues(initial);
      }
      onSaved?.(result);
    } catch (e) {
      const error = toControlPlaneError(e);
      setApiError(error);
      setErrors(fieldErrors<K>(error.details, values, aliases));
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  return {
    values,
    setValues,
    /** Sets one value. */
    set: <F extends keyof V>(field: F, value: V[F]) => setValues((old) => ({ ...old, [field]: value })),
    errors,
    apiError,
    /** For a refusal from another call of the same form (it shows in the same alert). */
    setApiError,
    submitting,
    submit,
    /** `<form onSubmit={onSubmit}>`: submits without reloading the page. */
    onSubmit: (e: FormEvent) => {
      e.preventDefault();
      void submit();
    },
  };
}

/** The first message for each field an API detail's path names: its last segment that is a field (or an alias). */
function fieldErrors<K extends string>(
  details: ErrorDetail[],
  values: object,
  aliases: Partial<Record<string, K>>
): Partial<Record<K, string>> {
  const fields = new Set(Object.keys(values));
  for (const v of Object.values(values)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.keys(v).forEach((k) => fields.add(k));
    }
  }
  const out: Partial<Record<K, string>> = {};
  for (const d of details) {
    const segments = d.path
      .split(/[.[\]]+/)
      .filter(Boolean)
      .reverse();
    const field = segments
      .map((s) => (Object.hasOwn(aliases, s) ? aliases[s] : fields.has(s) ? (s as K) : undefined))
      .find(Boolean);
    if (field && out[field] === undefined) {
      out[field] = d.message;
    }
  }
  return out;
}
