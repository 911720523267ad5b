/**
 * `tokenmeterExpress()`: Express (4 and 5) middleware that puts the request's
 * attribution — from headers and/or the authenticated user — into the async
 * context for the rest of the request, so every LLM call made while handling
 * it is attributed. Exported as `@tokenmeter/instrumentation/express`.
 * Typed structurally: no dependency on Express or its types.
 */
import { diag } from '@opentelemetry/api';
import type { Attribution } from '../protocol.js';
import { withAttribution } from './context.js';
import { attributionFromHeaders, type HeaderAttributionOptions, type IncomingHeaders } from './headers.js';
import { acceptAttributionValue } from './validate.js';

/** The parts of a request the middleware reads. */
export interface AttributionRequest {
  headers: IncomingHeaders;
  user?: unknown;
}

export interface TokenmeterExpressOptions<Req extends AttributionRequest = AttributionRequest> extends HeaderAttributionOptions {
  /**
   * Attribution from the request beyond headers, typically the authenticated
   * user (`(req) => ({ user: req.user?.id, department: req.user?.dept })`).
   * Its values win over headers' (authentication beats what a client claims)
   * and are validated like them. Default: none.
   */
  fromRequest?: (req: Req) => Attribution | undefined;
}

type Next = (error?: unknown) => void;

let warnedFailure = false;

/** The middleware; mount it after authentication when `fromRequest` reads `req.user`. */
export function tokenmeterExpress<Req extends AttributionRequest = AttributionRequest>(
  options: TokenmeterExpressOptions<Req> = {},
): (req: Req, res: unknown, next: Next) => void {
  const readHeaders = attributionFromHeaders(options);
  const fromRequest = options.fromRequest;
  const maxLength = options.maxValueLength;
  const pattern = options.valuePattern;
  return function tokenmeterAttribution(req, _res, next) {
    let attribution: Attribution;
    try {
      attribution = readHeaders(req.headers);
      if (fromRequest !== undefined) {
        const extra = fromRequest(req);
        if (extra !== undefined) {
          for (const [field, raw] of Object.entries(extra) as Array<[keyof Attribution, unknown]>) {
            if (raw === undefined) continue;
            const value = acceptAttributionValue(raw, maxLength, pattern);
            if (value === undefined) diag.debug(`tokenmeter: ignored an invalid ${field} from fromRequest`);
            else attribution[field] = value;
          }
        }
      }
    } catch (error) {
      // Attribution is best effort: a bug here (or in fromRequest) never fails the request.
      if (!warnedFailure) {
        warnedFailure = true;
        diag.warn('tokenmeter: attribution middleware failed; requests continue unattributed (logged once)', error);
      }
      next();
      return;
    }
    withAttribution(attribution, () => next());
  };
}
