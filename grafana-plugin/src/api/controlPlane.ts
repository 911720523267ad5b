/**
 * The one HTTP client every page uses: control plane REST (`/api/v1/...`)
 * through the plugin proxy routes of `plugin.json`. Reads go through `cp/*`
 * (read token, any signed-in user), writes through `cp-admin/*` (admin token,
 * Grafana Admins only); Grafana adds the token, the browser never sees it.
 */
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, type FetchError, type FetchResponse } from '@grafana/runtime';
import { PROXY_ADMIN, PROXY_READ } from '../constants';

/** Query parameters: undefined, null and empty values are left out. */
export type Query = object;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A refused or failed call, with the control plane's `{"error":{code,message,details}}` when it sent one. */
export class ControlPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = []
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

/** `path` under `/api/v1` with the query string (undefined, null and '' values left out). */
export function v1Url(base: string, path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') {
      qs.set(k, String(v));
    }
  }
  const s = qs.toString();
  return `${base}/v1${path.startsWith('/') ? path : `/${path}`}${s ? `?${s}` : ''}`;
}

function isFetchError(e: unknown): e is FetchError {
  return typeof e === 'object' && e !== null && 'status' in e && 'data' in e;
}

/** Turns whatever `fetch` threw into a ControlPlaneError with a message a person can act on. */
export function toControlPlaneError(e: unknown): ControlPlaneError {
  if (e instanceof ControlPlaneError) {
    return e;
  }
  if (isFetchError(e)) {
    const body = e.data as
      { error?: { code?: string; message?: string; details?: ErrorDetail[] }; message?: string } | undefined;
    if (body?.error?.message) {
      return new ControlPlaneError(e.status, body.error.code ?? 'error', body.error.message, body.error.details ?? []);
    }
    if (e.status === 403 && body?.message) {
      // Grafana's own answer: the route's reqRole refused this user.
      return new ControlPlaneError(403, 'forbidden', `${body.message}: this action needs the Grafana Admin role`);
    }
    if (e.status === 502 || e.status === 0) {
      return new ControlPlaneError(
        e.status,
        'unreachable',
        'the control plane did not answer: check its URL in the app configuration'
      );
    }
    const message = body?.message ?? e.statusText ?? 'request failed';
    return new ControlPlaneError(e.status, 'http_error', `HTTP ${e.status}: ${message}`);
  }
  return new ControlPlaneError(0, 'network', e instanceof Error ? e.message : String(e));
}

/** A Blob's text (older engines have no `Blob.text()`). */
function blobText(b: Blob): Promise<string> {
  if (typeof b.text === 'function') {
    return b.text();
  }
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsText(b);
  });
}

async function call<T>(options: {
  url: string;
  method: string;
  data?: unknown;
  responseType?: 'json' | 'blob' | 'text';
}): Promise<FetchResponse<T>> {
  try {
    return await lastValueFrom(
      getBackendSrv().fetch<T>({
        ...options,
        headers: options.data !== undefined ? { 'Content-Type': 'application/json' } : undefined,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
  } catch (e) {
    if (isFetchError(e) && typeof Blob !== 'undefined' && e.data instanceof Blob) {
      // A refused file request: the error body arrives as a Blob.
      const text = await blobText(e.data);
      let data: unknown = { message: text };
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      throw toControlPlaneError({ ...e, data });
    }
    throw toControlPlaneError(e);
  }
}

/** A read (`GET`) through the read route. */
export async function cpGet<T>(path: string, query?: Query): Promise<T> {
  const res = await call<T>({ url: v1Url(PROXY_READ, path, query), method: 'GET' });
  return res.data;
}

/** A write through the admin route (Grafana refuses it with 403 for non-admins). */
export async function cpWrite<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown
): Promise<T> {
  const res = await call<T>({ url: v1Url(PROXY_ADMIN, path), method, data: body });
  return res.data;
}

/** A `POST` through the read route that returns a file (reports run with the read role). */
export async function cpPostFile(path: string, body: unknown): Promise<{ blob: Blob; filename: string | undefined }> {
  const res = await call<Blob>({ url: v1Url(PROXY_READ, path), method: 'POST', data: body, responseType: 'blob' });
  const disposition = res.headers?.get?.('content-disposition') ?? '';
  const m = /filename="?([^";]+)"?/i.exec(disposition);
  return { blob: res.data, filename: m?.[1] };
}
