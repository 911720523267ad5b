import React from 'react';
import { Field, Input } from '@grafana/ui';

/** What `TextField` needs of a `useValidatedSubmit` form. */
export interface BoundForm<V> {
  values: V;
  errors: Partial<Record<string, string>>;
  set: <F extends keyof V>(field: F, value: V[F]) => void;
}

/** The fields of `V` that hold a string. */
type TextKeys<V> = { [F in keyof V]: V[F] extends string ? F : never }[keyof V] & string;

// `form` is the input's HTML attribute there; here it is the bound form.
type InputProps = Omit<React.ComponentProps<typeof Input>, 'value' | 'onChange' | 'aria-label' | 'label' | 'form'>;

/**
 * A labelled text input bound to one string field of a form: it shows the
 * field's value and writes what is typed back, and shows the field's error
 * (the form's own check, or an API refusal naming the field). The input's
 * accessible name is `inputLabel`, else the label.
 */
export function TextField<V>({
  form,
  field,
  label,
  description,
  inputLabel,
  ...input
}: {
  form: BoundForm<V>;
  field: TextKeys<V>;
  label: string;
  description?: React.ReactNode;
  inputLabel?: string;
} & InputProps) {
  const error = form.errors[field];
  return (
    <Field label={label} description={description} invalid={!!error} error={error}>
      <Input
        {...input}
        aria-label={inputLabel ?? label}
        value={form.values[field] as string}
        onChange={(e) => form.set(field, e.currentTarget.value as V[TextKeys<V>])}
      />
    </Field>
  );
}
