import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import type { AppSettings, SecureField } from '../../types';
import { reloadPage } from '../../utils/reload';
import { isValidTimeZone } from '../../utils/time';
import { testIds } from '../testIds';
import { saveSettings, testConnection, type ConnectionCheck } from './settingsApi';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

interface Secret {
  value: string;
  /** Stored in Grafana (from `secureJsonFields`); never read back. */
  configured: boolean;
}

/** Validates the form; the messages say what to fix. */
export function validateSettings(url: string, timezone: string): Partial<Record<'url' | 'timezone', string>> {
  const errors: Partial<Record<'url' | 'timezone', string>> = {};
  if (!url.trim()) {
    errors.url = 'Enter the control plane URL, e.g. http://127.0.0.1:9470';
  } else {
    try {
      const u = new URL(url.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        errors.url = 'Use an http:// or https:// URL';
      } else if (u.pathname.replace(/\/+$/, '').endsWith('/api')) {
        errors.url = 'Leave out the trailing /api: the plugin adds it';
      }
    } catch {
      errors.url = 'Not a URL: write it as http://host:port';
    }
  }
  if (timezone.trim() && !isValidTimeZone(timezone.trim())) {
    errors.timezone = 'Use an IANA time zone such as "Europe/Berlin", or leave empty for the browser\'s';
  }
  return errors;
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [url, setUrl] = useState(jsonData?.controlPlaneUrl ?? '');
  const [timezone, setTimezone] = useState(jsonData?.timezone ?? '');
  const [prometheusUid, setPrometheusUid] = useState(jsonData?.prometheusUid ?? '');
  const [secrets, setSecrets] = useState<Record<SecureField, Secret>>({
    adminToken: { value: '', configured: Boolean(secureJsonFields?.adminToken) },
    readToken: { value: '', configured: Boolean(secureJsonFields?.readToken) },
  });
  const [errors, setErrors] = useState<Partial<Record<'url' | 'timezone', string>>>({});
  const [saveError, setSaveError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [check, setCheck] = useState<ConnectionCheck>();
  const [checking, setChecking] = useState(false);

  const setSecret = (k: SecureField, v: Secret) => setSecrets((old) => ({ ...old, [k]: v }));

  const onSave = async () => {
    const e = validateSettings(url, timezone);
    setErrors(e);
    if (Object.keys(e).length > 0) {
      return;
    }
    const secureJsonData: Partial<Record<SecureField, string>> = {};
    for (const k of ['adminToken', 'readToken'] as const) {
      // Send a token only when it was typed: an omitted one keeps its stored value.
      if (!secrets[k].configured && secrets[k].value) {
        secureJsonData[k] = secrets[k].value.trim();
      }
    }
    setSaving(true);
    setSaveError(undefined);
    try {
      await saveSettings(plugin.meta.id, {
        enabled: Boolean(enabled),
        pinned: Boolean(pinned),
        // The settings API replaces jsonData wholesale: always the full object.
        jsonData: {
          ...(jsonData ?? {}),
          controlPlaneUrl: url.trim().replace(/\/+$/, ''),
          prometheusUid: prometheusUid || undefined,
          timezone: timezone.trim() || undefined,
        },
        secureJsonData: Object.keys(secureJsonData).length > 0 ? secureJsonData : undefined,
      });
      reloadPage();
    } catch (err) {
      const data = (err as { data?: { message?: string } })?.data;
      setSaveError(data?.message ?? (err instanceof Error ? err.message : 'saving the settings failed'));
    } finally {
      setSaving(false);
    }
  };

  const onTest = async () => {
    setChecking(true);
    setCheck(await testConnection());
    setChecking(false);
  };

  const secretField = (k: SecureField, label: string, description: string, testId: string) => (
    <Field label={label} description={description} className={s.field}>
      <SecretInput
        width={60}
        id={`config-${k}`}
        data-testid={testId}
        value={secrets[k].value}
        isConfigured={secrets[k].configured}
        placeholder="Paste the token"
        onChange={(e) => setSecret(k, { value: e.currentTarget.value, configured: false })}
        onReset={() => setSecret(k, { value: '', configured: false })}
      />
    </Field>
  );

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void onSave();
      }}
    >
      <FieldSet label="Control plane">
        <Field
          label="URL"
          description="Where Grafana's server reaches the tokenmeter control plane (without /api)"
          invalid={!!errors.url}
          error={errors.url}
        >
          <Input
            width={60}
            id="config-url"
            data-testid={testIds.appConfig.url}
            value={url}
            placeholder="http://127.0.0.1:9470"
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        {secretField(
          'readToken',
          'Read token',
          "TOKENMETER_READ_TOKEN: sent for every signed-in user's reads",
          testIds.appConfig.readToken
        )}
        {secretField(
          'adminToken',
          'Admin token',
          "TOKENMETER_ADMIN_TOKEN: sent only for Grafana Admins' changes",
          testIds.appConfig.adminToken
        )}
      </FieldSet>
      <FieldSet label="Display">
        <Field
          label="Prometheus data source"
          description="The Prometheus that scrapes tokenmeter (Overview panels)"
          className={s.field}
        >
          <DataSourcePicker
            width={60}
            pluginId="prometheus"
            current={prometheusUid || null}
            noDefault
            onChange={(ds) => setPrometheusUid(ds.uid)}
          />
        </Field>
        <Field
          label="Time zone"
          description='IANA zone for "today" and "this month"; empty = the browser&apos;s'
          invalid={!!errors.timezone}
          error={errors.timezone}
        >
          <Input
            width={60}
            data-testid={testIds.appConfig.timezone}
            value={timezone}
            placeholder="UTC"
            onChange={(e) => setTimezone(e.currentTarget.value)}
          />
        </Field>
      </FieldSet>
      {saveError && <Alert title="Saving failed">{saveError}</Alert>}
      <Stack gap={2}>
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
        <Button
          type="button"
          variant="secondary"
          data-testid={testIds.appConfig.test}
          disabled={checking}
          onClick={() => void onTest()}
        >
          Test connection
        </Button>
      </Stack>
      <p className={s.hint}>Test connection uses the saved settings: save first.</p>
      {check && (
        <div data-testid={testIds.appConfig.testResult}>
          <Alert severity={check.read.ok ? 'success' : 'error'} title={check.read.message} />
          <Alert severity={check.admin.ok ? 'success' : 'error'} title={check.admin.message} />
        </div>
      )}
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  field: css({ marginTop: theme.spacing(1) }),
  hint: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(1) }),
});
