import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import type { AppSettings } from '../../types';
import { SettingsProvider } from '../common/settings';

const Overview = React.lazy(() => import('../../pages/Overview'));
const Allocation = React.lazy(() => import('../../pages/Allocation'));
const Forecast = React.lazy(() => import('../../pages/Forecast'));
const Recommendations = React.lazy(() => import('../../pages/Recommendations'));
const Quotas = React.lazy(() => import('../../pages/Quotas'));
const Pricing = React.lazy(() => import('../../pages/Pricing'));
const Providers = React.lazy(() => import('../../pages/Providers'));
const Reports = React.lazy(() => import('../../pages/Reports'));

function App(props: AppRootProps<AppSettings>) {
  return (
    <SettingsProvider settings={props.meta.jsonData ?? {}}>
      <Routes>
        <Route path={ROUTES.Overview} element={<Overview />} />
        <Route path={ROUTES.Allocation} element={<Allocation />} />
        <Route path={ROUTES.Forecast} element={<Forecast />} />
        <Route path={ROUTES.Recommendations} element={<Recommendations />} />
        <Route path={ROUTES.Quotas} element={<Quotas />} />
        <Route path={ROUTES.Pricing} element={<Pricing />} />
        <Route path={ROUTES.Providers} element={<Providers />} />
        <Route path={ROUTES.Reports} element={<Reports />} />
        <Route path="*" element={<Navigate to={`${PLUGIN_BASE_URL}/${ROUTES.Overview}`} replace />} />
      </Routes>
    </SettingsProvider>
  );
}

export default App;
