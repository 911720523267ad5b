import { of, throwError } from 'rxjs';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { ControlPlaneError, cpGet, cpPostFile, cpWrite, toControlPlaneError, v1Url } from './controlPlane';

function fakeBackend(answer: (o: BackendSrvRequest) => unknown) {
  const calls: BackendSrvRequest[] = [];
  setBackendSrv({
    fetch: (o: BackendSrvRequest) => {
      calls.push(o);
      try {
        return of(answer(o));
      } catch (e) {
        return throwError(() => e);
      }
    },
  } as unknown as BackendSrv);
  return calls;
}

describe('v1Url', () => {
  test('puts the path under /v1 and leaves empty parameters out', () => {
    expect(
      v1Url('api/plugin-proxy/x/cp', '/quotas', { status: 'true', tz: undefined, subject: '', limit: 5, x: null })
    ).toBe('api/plugin-proxy/x/cp/v1/quotas?status=true&limit=5');
    expect(v1Url('b', 'prices')).toBe('b/v1/prices');
    expect(v1Url('b', '/a', { q: 'a b&c' })).toBe('b/v1/a?q=a+b%26c');
  });
});

describe('toControlPlaneError', () => {
  test("keeps the control plane's code, message and details", () => {
    const e = toControlPlaneError({
      status: 400,
      data: {
        error: {
          code: 'invalid_request',
          message: 'limit: must be > 0',
          details: [{ path: 'limit', message: 'must be > 0' }],
        },
      },
    });
    expect(e).toEqual(
      expect.objectContaining({
        status: 400,
        code: 'invalid_request',
        message: 'limit: must be > 0',
        details: [{ path: 'limit', message: 'must be > 0' }],
      })
    );
  });

  test("says what Grafana's proxy refusal means", () => {
    expect(toControlPlaneError({ status: 403, data: { message: 'plugin proxy route access denied' } }).message).toBe(
      'plugin proxy route access denied: this action needs the Grafana Admin role'
    );
  });

  test('an unreachable control plane points at the URL setting', () => {
    expect(toControlPlaneError({ status: 502, data: { message: 'Bad Gateway' } }).message).toMatch(/check its URL/);
  });

  test('anything else keeps its status', () => {
    expect(toControlPlaneError({ status: 500, statusText: 'Internal Server Error', data: 'boom' }).message).toBe(
      'HTTP 500: Internal Server Error'
    );
    expect(toControlPlaneError(new Error('offline'))).toEqual(
      expect.objectContaining({ status: 0, code: 'network', message: 'offline' })
    );
  });
});

describe('requests', () => {
  test('reads go through the read route, quietly (the page shows the error itself)', async () => {
    const calls = fakeBackend(() => ({ data: { quotas: [] } }));
    await expect(cpGet('/quotas', { status: 'true' })).resolves.toEqual({ quotas: [] });
    expect(calls[0]).toEqual(
      expect.objectContaining({
        url: 'api/plugin-proxy/tokenmeter-costs-app/cp/v1/quotas?status=true',
        method: 'GET',
        showErrorAlert: false,
      })
    );
  });

  test('writes go through the admin route with a JSON body', async () => {
    const calls = fakeBackend(() => ({ data: { id: 'q' } }));
    await cpWrite('PUT', '/providers/*/openai', { enabled: true });
    expect(calls[0]).toEqual(
      expect.objectContaining({
        url: 'api/plugin-proxy/tokenmeter-costs-app/cp-admin/v1/providers/*/openai',
        method: 'PUT',
        data: { enabled: true },
        headers: { 'Content-Type': 'application/json' },
      })
    );
  });

  test('a refusal becomes a ControlPlaneError', async () => {
    fakeBackend(() => {
      throw {
        status: 409,
        data: { error: { code: 'conflict', message: 'id: quota "a" already exists', details: [] } },
      };
    });
    await expect(cpWrite('POST', '/quotas', {})).rejects.toEqual(
      new ControlPlaneError(409, 'conflict', 'id: quota "a" already exists')
    );
  });

  test('a file comes back as a Blob with its file name; a refused file request still shows the JSON error', async () => {
    const blob = new Blob(['a,b\n']);
    const calls = fakeBackend(() => ({
      data: blob,
      headers: new Headers({ 'content-disposition': 'attachment; filename="chargeback.csv"' }),
    }));
    await expect(cpPostFile('/reports', { kind: 'chargeback' })).resolves.toEqual({ blob, filename: 'chargeback.csv' });
    expect(calls[0]).toEqual(
      expect.objectContaining({
        url: 'api/plugin-proxy/tokenmeter-costs-app/cp/v1/reports',
        method: 'POST',
        responseType: 'blob',
      })
    );

    const body = JSON.stringify({ error: { code: 'invalid_request', message: 'kind: unknown', details: [] } });
    fakeBackend(() => {
      throw { status: 400, data: new Blob([body]) };
    });
    await expect(cpPostFile('/reports', {})).rejects.toEqual(
      new ControlPlaneError(400, 'invalid_request', 'kind: unknown')
    );
  });
});
