/** Where the control link and the router write their few operational messages (each condition once). */
import { diag } from '@opentelemetry/api';

export interface Logger {
  warn(message: string): void;
  info(message: string): void;
}

/** Warnings to stderr (an operator must see an outage or a full buffer); info through OTel `diag`. */
export const defaultLogger: Logger = {
  warn: (message) => {
    console.warn(message);
  },
  info: (message) => {
    diag.info(message);
  },
};
