/** The app's settings: `jsonData` (readable) and the names of its `secureJsonData` (write-only) fields. */
export interface AppSettings {
  /** Base URL of the control plane, without `/api` (e.g. `http://127.0.0.1:9470`). */
  controlPlaneUrl?: string;
  /** Uid of the Prometheus data source the Overview's panels query. */
  prometheusUid?: string;
  /** IANA time zone for "today" and "this month" (default: the browser's). */
  timezone?: string;
}

export type SecureField = 'adminToken' | 'readToken';
