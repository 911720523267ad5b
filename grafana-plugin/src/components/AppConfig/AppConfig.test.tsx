import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import AppConfig, { validateSettings, type AppConfigProps } from './AppConfig';
import { testIds } from '../testIds';
import * as settingsApi from './settingsApi';
import * as reload from '../../utils/reload';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  // The real picker needs Grafana's data source service; the settings logic is what is tested here.
  DataSourcePicker: ({ current }: { current: string | null }) => <div data-testid="ds-picker">{current ?? 'none'}</div>,
}));
jest.mock('./settingsApi', () => ({ saveSettings: jest.fn(), testConnection: jest.fn() }));
jest.mock('../../utils/reload', () => ({ reloadPage: jest.fn() }));

function renderConfig(meta: Record<string, unknown>) {
  const plugin = {
    meta: {
      id: 'tokenmeter-costs-app',
      name: 'tokenmeter',
      type: PluginType.app,
      enabled: true,
      pinned: true,
      jsonData: {},
      ...meta,
    },
  };
  return render(<AppConfig {...({ plugin, query: {} } as unknown as AppConfigProps)} />);
}

describe('AppConfig', () => {
  beforeEach(() => {
    jest.clearAllMocks();
    jest.mocked(settingsApi.saveSettings).mockResolvedValue();
  });

  test('shows stored tokens as configured without their values', () => {
    renderConfig({
      jsonData: { controlPlaneUrl: 'http://cp:9470', prometheusUid: 'prom' },
      secureJsonFields: { adminToken: true },
    });
    expect(screen.getByTestId(testIds.appConfig.url)).toHaveValue('http://cp:9470');
    expect(screen.getByTestId('ds-picker')).toHaveTextContent('prom');
    // SecretInput shows "configured" and a Reset button for the stored admin token, an empty input for the read token.
    expect(screen.getByTestId(testIds.appConfig.adminToken)).toHaveValue('configured');
    expect(screen.getByTestId(testIds.appConfig.adminToken)).toBeDisabled();
    expect(screen.getByTestId(testIds.appConfig.readToken)).toHaveValue('');
  });

  test('saves enabled, pinned, the whole jsonData and only the secrets that were typed', async () => {
    renderConfig({
      jsonData: { controlPlaneUrl: 'http://old:9470', prometheusUid: 'prom', extra: 'kept' },
      secureJsonFields: { adminToken: true },
    });
    fireEvent.change(screen.getByTestId(testIds.appConfig.url), { target: { value: 'http://cp:9470/' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.readToken), { target: { value: 'read-secret' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reload.reloadPage).toHaveBeenCalled());
    expect(settingsApi.saveSettings).toHaveBeenCalledWith('tokenmeter-costs-app', {
      enabled: true,
      pinned: true,
      jsonData: { controlPlaneUrl: 'http://cp:9470', prometheusUid: 'prom', extra: 'kept', timezone: undefined },
      secureJsonData: { readToken: 'read-secret' },
    });
  });

  test('refuses to save a bad URL or time zone and says why', () => {
    renderConfig({});
    fireEvent.change(screen.getByTestId(testIds.appConfig.url), { target: { value: 'cp:9470/api' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.timezone), { target: { value: 'Mars/Olympus' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    expect(screen.getByText(/Use an IANA time zone/)).toBeInTheDocument();
    expect(settingsApi.saveSettings).not.toHaveBeenCalled();
  });

  test('validateSettings names what to fix', () => {
    expect(validateSettings('', '')).toEqual({ url: expect.stringMatching(/Enter the control plane URL/) });
    expect(validateSettings('http://cp:9470/api', '')).toEqual({ url: expect.stringMatching(/trailing \/api/) });
    expect(validateSettings('ftp://cp', '')).toEqual({ url: expect.stringMatching(/http:\/\/ or https:\/\//) });
    expect(validateSettings('http://cp:9470', 'Europe/Berlin')).toEqual({});
  });

  test('test connection shows the outcome of each route', async () => {
    jest.mocked(settingsApi.testConnection).mockResolvedValue({
      read: { ok: true, message: 'read token accepted (2 quotas)' },
      admin: { ok: false, message: 'admin: unknown bearer token' },
    });
    renderConfig({ jsonData: { controlPlaneUrl: 'http://cp:9470' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.test));
    expect(await screen.findByText('read token accepted (2 quotas)')).toBeInTheDocument();
    expect(screen.getByText('admin: unknown bearer token')).toBeInTheDocument();
  });
});
