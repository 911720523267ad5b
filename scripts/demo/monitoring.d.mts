export declare const DEMO_SCRAPE_INTERVAL_SECONDS: number;
export interface MonitoringOptions {
  /** host:port of each metrics endpoint. */
  targets: { sdk: string; collector: string; controlPlane: string };
  /** host:port of Alertmanager. */
  alertmanager: string;
  /** The control plane's receiver, `http://…/api/v1/alerts/alertmanager`. */
  webhookUrl: string;
  /** Path of the file holding the receiver's token, as Alertmanager sees it. */
  credentialsFile: string;
}
export declare function writeMonitoringConfig(out: string, options: MonitoringOptions): { prometheusConfig: string; alertmanagerConfig: string };
