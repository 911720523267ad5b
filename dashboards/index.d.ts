/** Directory of the `@tokenmeter/dashboards` package. */
export declare const dashboardsDir: string;
/** Absolute paths of the shipped files. */
export declare const paths: {
  prometheusConfig: string;
  rulesDir: string;
  ruleExamplesDir: string;
  ruleTestsDir: string;
  alertmanagerConfig: string;
  grafanaDashboardsDir: string;
  grafanaProvisioningDir: string;
};
/** Job names of the reference Prometheus config. */
export declare const JOBS: { sdk: 'tokenmeter-sdk'; collector: 'tokenmeter-collector'; controlPlane: 'tokenmeter-control-plane' };
/** Name of the Alertmanager receiver that posts to the control plane. */
export declare const WEBHOOK_RECEIVER: 'tokenmeter-webhook';
export interface RuleFilesOptions {
  /** Replaces the `interval` of every group that sets one (e.g. the 30 s recording group). */
  groupIntervalSeconds?: number;
}
/** The shipped rule files: file name → content. */
export declare function ruleFiles(options?: RuleFilesOptions): Record<string, string>;

export interface DerivePrometheusOptions {
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  /** Job name → `host:port` targets; jobs not named are dropped. */
  targets?: Partial<Record<string, string[]>>;
  /** `host:port` of each Alertmanager. */
  alertmanagers?: string[];
  /** Rule file paths as Prometheus should read them (default: the shipped file names, beside the config). */
  ruleFiles?: string[];
}
/** The shipped prometheus.yml with other targets, Alertmanagers, intervals and rule files. */
export declare function derivePrometheusConfig(options?: DerivePrometheusOptions): string;

export interface DeriveAlertmanagerOptions {
  /** The control plane's receiver URL (`…/api/v1/alerts/alertmanager`). */
  webhookUrl?: string;
  /** The receiver token inline (tests). */
  credentials?: string;
  /** A file holding the receiver token. */
  credentialsFile?: string;
  groupWaitSeconds?: number;
  groupIntervalSeconds?: number;
  repeatIntervalSeconds?: number;
}
/** The shipped alertmanager.yml with another receiver URL, token and intervals. */
export declare function deriveAlertmanagerConfig(options?: DeriveAlertmanagerOptions): string;
