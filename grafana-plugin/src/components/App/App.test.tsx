import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { type AppRootProps, PluginType } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import App from './App';
import { testIds } from '../testIds';
import * as resources from '../../api/resources';

jest.mock('../../api/resources', () => ({
  ...jest.requireActual('../../api/resources'),
  listQuotas: jest.fn(),
  listBudgets: jest.fn(),
}));

const props = {
  basename: '/a/tokenmeter-costs-app',
  meta: {
    id: 'tokenmeter-costs-app',
    name: 'tokenmeter',
    type: PluginType.app,
    enabled: true,
    jsonData: { timezone: 'UTC' },
  },
  query: {},
  path: '',
  onNavChanged: jest.fn(),
} as unknown as AppRootProps;

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/a/tokenmeter-costs-app/*" element={<App {...props} />} />
      </Routes>
    </MemoryRouter>
  );
}

describe('App', () => {
  beforeEach(() => {
    jest.mocked(resources.listQuotas).mockResolvedValue([]);
    jest.mocked(resources.listBudgets).mockResolvedValue([]);
  });

  test('routes an unknown path to the Overview', async () => {
    renderAt('/a/tokenmeter-costs-app/nowhere');
    expect(await screen.findByTestId(testIds.overview.container)).toBeInTheDocument();
  });

  test('routes /quotas to the Quotas page, which shows its empty state', async () => {
    renderAt('/a/tokenmeter-costs-app/quotas');
    expect(await screen.findByTestId(testIds.quotas.container)).toBeInTheDocument();
    expect(await screen.findByText(/No quotas yet/)).toBeInTheDocument();
  });
});
