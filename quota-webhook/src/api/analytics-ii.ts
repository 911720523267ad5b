/** Chargeback, ROI and recommendations: the analytics endpoints of issue 12 and the settings they read. */
import type { ControlPlane } from '../control-plane.js';
import { mountAllocationRules } from './allocation-rules.js';
import { mountAnalyticsChargeback } from './analytics-chargeback.js';
import { mountFeatures } from './features.js';
import { mountRecommendations } from './recommendations.js';
import type { Api } from './route.js';

export function mountAnalyticsII(api: Api, cp: ControlPlane): void {
  mountAnalyticsChargeback(api, cp);
  mountRecommendations(api, cp);
  mountAllocationRules(api, cp);
  mountFeatures(api, cp);
}
