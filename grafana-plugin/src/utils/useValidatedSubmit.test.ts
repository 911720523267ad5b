import { act, renderHook } from '@testing-library/react';
import { ControlPlaneError } from '../api/controlPlane';
import { useValidatedSubmit, type Validation } from './useValidatedSubmit';

interface Values {
  name: string;
  limit: string;
  thresholds: string;
  rates: { input: string };
}
type Field = 'name' | 'limit' | 'thresholds' | 'input';

const initial: Values = { name: '', limit: '', thresholds: '80', rates: { input: '' } };

/** Name required; the body is what the API receives. */
function validate(v: Values): Validation<{ name: string; limit: string }, Field> {
  return v.name.trim()
    ? { ok: true, body: { name: v.name.trim(), limit: v.limit } }
    : { ok: false, errors: { name: 'Name it' } };
}

/** A promise the test settles when it chooses. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(send: jest.Mock, options: { resetOnSuccess?: boolean } = {}) {
  const onSaved = jest.fn();
  const hook = renderHook(() =>
    useValidatedSubmit({ initial, validate, send, onSaved, aliases: { amount: 'limit' }, ...options })
  );
  return { hook, onSaved };
}

describe('useValidatedSubmit', () => {
  test('a validation failure marks the fields and does not call the API', async () => {
    const send = jest.fn();
    const { hook, onSaved } = setup(send);
    await act(() => hook.result.current.submit());
    expect(hook.result.current.errors).toEqual({ name: 'Name it' });
    expect(send).not.toHaveBeenCalled();
    expect(onSaved).not.toHaveBeenCalled();
    expect(hook.result.current.submitting).toBe(false);
  });

  test("the API's 400 details mark the fields their paths name, and the refusal stays for the form-level alert", async () => {
    const refusal = new ControlPlaneError(
      400,
      'invalid_request',
      'invalid request body: amount: must be > 0 (and 3 more)',
      [
        { path: 'amount', message: 'must be > 0' },
        { path: 'thresholds[0]', message: 'must be at most 10' },
        { path: 'prices.input', message: 'at most 6 fractional digits' },
        { path: 'currency', message: 'unknown field' },
      ]
    );
    const send = jest.fn().mockRejectedValue(refusal);
    const { hook, onSaved } = setup(send);
    act(() => hook.result.current.set('name', 'research'));
    await act(() => hook.result.current.submit());
    expect(send).toHaveBeenCalledWith({ name: 'research', limit: '' }, expect.objectContaining({ name: 'research' }));
    expect(hook.result.current.errors).toEqual({
      limit: 'must be > 0',
      thresholds: 'must be at most 10',
      input: 'at most 6 fractional digits',
    });
    expect(hook.result.current.apiError).toBe(refusal);
    expect(onSaved).not.toHaveBeenCalled();
  });

  test('a network failure or a 500 shows a form-level message and keeps what was typed', async () => {
    const send = jest
      .fn()
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockRejectedValueOnce({ status: 500, statusText: 'Internal Server Error', data: { message: 'db locked' } });
    const { hook, onSaved } = setup(send);
    act(() => hook.result.current.setValues({ ...initial, name: 'research', limit: '5' }));

    await act(() => hook.result.current.submit());
    expect(hook.result.current.apiError).toMatchObject({ status: 0, code: 'network', message: 'Failed to fetch' });
    expect(hook.result.current.errors).toEqual({});
    expect(hook.result.current.values).toEqual({ ...initial, name: 'research', limit: '5' });

    await act(() => hook.result.current.submit());
    expect(hook.result.current.apiError).toMatchObject({ status: 500, message: 'HTTP 500: db locked' });
    expect(hook.result.current.values).toEqual({ ...initial, name: 'research', limit: '5' });
    expect(hook.result.current.submitting).toBe(false);
    expect(onSaved).not.toHaveBeenCalled();
  });

  test('a success clears the errors, resets the values and calls onSaved with the answer', async () => {
    const send = jest
      .fn()
      .mockRejectedValueOnce(new ControlPlaneError(409, 'conflict', 'quota "a" already exists'))
      .mockResolvedValueOnce({ id: 'a' });
    const { hook, onSaved } = setup(send);
    act(() => hook.result.current.set('name', 'research'));
    await act(() => hook.result.current.submit());
    expect(hook.result.current.apiError?.message).toBe('quota "a" already exists');

    await act(() => hook.result.current.submit());
    expect(onSaved).toHaveBeenCalledWith({ id: 'a' });
    expect(hook.result.current.values).toEqual(initial);
    expect(hook.result.current.apiError).toBeUndefined();
    expect(hook.result.current.errors).toEqual({});
  });

  test('resetOnSuccess: false keeps the values after a success', async () => {
    const { hook, onSaved } = setup(jest.fn().mockResolvedValue('done'), { resetOnSuccess: false });
    act(() => hook.result.current.set('name', 'research'));
    await act(() => hook.result.current.submit());
    expect(onSaved).toHaveBeenCalledWith('done');
    expect(hook.result.current.values.name).toBe('research');
  });

  test('a submit while one is in flight is ignored', async () => {
    const answer = deferred<string>();
    const send = jest.fn().mockReturnValue(answer.promise);
    const { hook, onSaved } = setup(send);
    act(() => hook.result.current.set('name', 'research'));

    let first!: Promise<void>;
    act(() => {
      first = hook.result.current.submit();
      // The same tick, before a re-render: a double click.
      void hook.result.current.submit();
    });
    expect(hook.result.current.submitting).toBe(true);
    // And after the re-render, while the answer is still out.
    act(() => void hook.result.current.submit());
    expect(send).toHaveBeenCalledTimes(1);

    await act(async () => {
      answer.resolve('saved');
      await first;
    });
    expect(hook.result.current.submitting).toBe(false);
    expect(onSaved).toHaveBeenCalledTimes(1);

    // Once the answer is in, the form submits again.
    act(() => hook.result.current.set('name', 'again'));
    send.mockResolvedValueOnce('saved again');
    await act(() => hook.result.current.submit());
    expect(send).toHaveBeenCalledTimes(2);
  });
});
