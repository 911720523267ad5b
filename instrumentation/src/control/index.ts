// STUB (replaced by the control-link engineer): the SDK's link to the control plane.
import type { EnforcementMode } from '../config/types.js';

export interface ControlLinkOptions {
  /** Base URL of the control plane, e.g. http://127.0.0.1:9470 */
  url: string;
  /** Bearer token (TOKENMETER_API_TOKEN). */
  token?: string;
  enforcement: EnforcementMode;
  reportIntervalMillis: number;
  maxBufferedRecords: number;
  serviceName?: string;
}

export interface ControlLink {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Starts the usage reporter and the enforcement client. */
export function startControlLink(_options: ControlLinkOptions): ControlLink {
  return { forceFlush: async () => {}, shutdown: async () => {} };
}
