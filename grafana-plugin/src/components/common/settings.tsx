import React, { createContext, useContext } from 'react';
import { config } from '@grafana/runtime';
import type { AppSettings } from '../../types';
import { browserTimeZone } from '../../utils/time';

const SettingsContext = createContext<AppSettings>({});

export function SettingsProvider({ settings, children }: { settings: AppSettings; children: React.ReactNode }) {
  return <SettingsContext.Provider value={settings}>{children}</SettingsContext.Provider>;
}

export function useSettings(): AppSettings & { tz: string } {
  const s = useContext(SettingsContext);
  return { ...s, tz: s.timezone || browserTimeZone() };
}

/**
 * Whether the signed-in user may write (org Admin or Grafana server admin):
 * write controls are hidden otherwise. The proxy route's `reqRole: Admin`
 * is what enforces it; this only avoids offering buttons that would get 403.
 */
export function canWrite(): boolean {
  const user = config.bootData?.user as { orgRole?: string; isGrafanaAdmin?: boolean } | undefined;
  return user?.orgRole === 'Admin' || user?.isGrafanaAdmin === true;
}
