/**
 * A BackendSrv for the harness: what Grafana's own BackendSrv does for the
 * calls this plugin makes — `fetch` to the same origin, JSON or Blob bodies,
 * errors as `FetchError` ({status, statusText, data, config}) — on `window.fetch`.
 * It is not Grafana's implementation (no auth refresh, no request queueing).
 */
import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

function urlOf(options: BackendSrvRequest): string {
  const base = options.url.startsWith('/') ? options.url : `/${options.url}`;
  const params = options.params as Record<string, string> | undefined;
  if (!params || Object.keys(params).length === 0) {
    return base;
  }
  return `${base}${base.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
}

async function send<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const headers = new Headers(options.headers as Record<string, string> | undefined);
  let body: BodyInit | undefined;
  if (options.data !== undefined) {
    body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    if (!headers.has('content-type')) {
      headers.set('content-type', 'application/json');
    }
  }
  const res = await fetch(urlOf(options), {
    method: options.method ?? 'GET',
    headers,
    body,
    credentials: 'same-origin',
  });
  const type = res.headers.get('content-type') ?? '';
  let data: unknown;
  if (options.responseType === 'blob' && res.ok) {
    data = await res.blob();
  } else if (res.status === 204) {
    data = undefined;
  } else if (type.includes('json')) {
    data = await res.json();
  } else {
    data = await res.text();
  }
  const response = {
    data: data as T,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    headers: res.headers,
    redirected: res.redirected,
    type: res.type,
    url: res.url,
    config: options,
  };
  if (!res.ok) {
    const error: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
    throw error;
  }
  return response;
}

export function harnessBackendSrv(): BackendSrv {
  const fetchObs = <T>(options: BackendSrvRequest) =>
    new Observable<FetchResponse<T>>((sub) => {
      send<T>(options).then(
        (r) => {
          sub.next(r);
          sub.complete();
        },
        (e) => sub.error(e)
      );
    });
  const request = <T>(options: BackendSrvRequest) => send<T>(options).then((r) => r.data);
  const unsupported = (name: string) => () => {
    throw new Error(`harness BackendSrv: ${name} is not provided (the plugin should not need it)`);
  };
  return {
    fetch: fetchObs,
    request,
    datasourceRequest: (o: BackendSrvRequest) => send(o),
    get: (url: string, params?: object) => request({ url, method: 'GET', params }),
    post: (url: string, data?: unknown) => request({ url, method: 'POST', data }),
    put: (url: string, data?: unknown) => request({ url, method: 'PUT', data }),
    patch: (url: string, data?: unknown) => request({ url, method: 'PATCH', data }),
    delete: (url: string, data?: unknown) => request({ url, method: 'DELETE', data }),
    resolveCancelerIfExists: () => {},
    chunked: unsupported('chunked'),
  } as unknown as BackendSrv;
}
