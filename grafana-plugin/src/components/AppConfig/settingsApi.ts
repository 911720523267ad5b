import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { cpGet, cpWrite, toControlPlaneError } from '../../api/controlPlane';
import type { AppSettings, SecureField } from '../../types';

export interface SettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  /** Replaces the stored jsonData wholesale: always the full object. */
  jsonData: AppSettings;
  /** Only the secrets that changed: an omitted one keeps its stored value, an empty string would erase it. */
  secureJsonData?: Partial<Record<SecureField, string>>;
}

/** `POST /api/plugins/<id>/settings` (Grafana's own API). */
export async function saveSettings(pluginId: string, update: SettingsUpdate): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${pluginId}/settings`,
      method: 'POST',
      data: update,
      showErrorAlert: false,
    })
  );
}

const PROBE_ID = 'tokenmeter-connection-test';

export interface ConnectionCheck {
  read: { ok: boolean; message: string };
  admin: { ok: boolean; message: string };
}

/** Calls the control plane through both proxy routes with the saved settings. */
export async function testConnection(): Promise<ConnectionCheck> {
  const read = cpGet<{ quotas: unknown[] }>('/quotas').then(
    (r) => ({ ok: true, message: `read token accepted (${r.quotas.length} quotas)` }),
    (e) => ({ ok: false, message: `read: ${toControlPlaneError(e).message}` })
  );
  // Every GET is open to the read role too, so only a write tells an admin
  // token apart. This one changes nothing: a quota id that cannot exist
  // answers 404 to an admin and 401/403 to any other token.
  const admin = cpWrite('PATCH', `/quotas/${PROBE_ID}`, {}).then(
    () => ({ ok: false, message: `admin: a quota named ${PROBE_ID} exists; remove it` }),
    (e) => {
      const err = toControlPlaneError(e);
      return err.status === 404 && err.code === 'not_found'
        ? { ok: true, message: 'admin token accepted' }
        : { ok: false, message: `admin: ${err.message}` };
    }
  );
  return { read: await read, admin: await admin };
}
