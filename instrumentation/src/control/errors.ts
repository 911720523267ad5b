/**
 * Typed refusals thrown before a request leaves the process. Each carries an
 * HTTP-like `status` and a machine `code`, so an app can map it straight to
 * its own response (429 for a quota or a rate limit).
 */
import type { EnforcementBlock, QuotaScope } from '../protocol.js';

/** A hard quota (or an operator's block) refuses the call's attribution. */
export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  readonly status = 429;
  readonly code = 'quota_exceeded';
  /** Scope of the block that refused the call. */
  readonly scope: QuotaScope;
  /** The blocked subject (org, department, user, feature or provider name). */
  readonly subject: string;
  /** Quota behind the block, when the block came from a quota. */
  readonly quotaId: string | undefined;
  /** Limit and usage in the quota's unit (USD for cost). */
  readonly limit: number | undefined;
  readonly usage: number | undefined;
  /** When the block lifts by itself (the quota's next period). */
  readonly resetAt: Date | undefined;
  /** Why the subject is blocked: `quota`, `alert` or `manual`. */
  readonly reason: EnforcementBlock['reason'];
  /** Id of the block in the control plane. */
  readonly blockId: string;

  constructor(block: EnforcementBlock) {
    super(describeBlock(block));
    this.scope = block.scope;
    this.subject = block.subject;
    this.quotaId = block.quota_id;
    this.limit = block.limit;
    this.usage = block.usage;
    this.resetAt = block.reset_at === undefined ? undefined : new Date(block.reset_at);
    this.reason = block.reason;
    this.blockId = block.id;
  }
}

/** Why a provider cannot take a call for an organisation. */
export type ProviderUnavailableReason =
  /** Disabled for the organisation in the control plane's provider settings. */
  | 'disabled'
  /** Over an hourly or daily request or token limit. */
  | 'rate_limited'
  /** `TOKENMETER_ENFORCEMENT=fail-closed` and the control plane is unreachable. */
  | 'enforcement_unavailable'
  /** Cooling down after repeated failures (router). */
  | 'cooling_down';

/** Which provider limit refused a call. */
export type ProviderLimitName = 'hourly_requests' | 'daily_requests' | 'hourly_tokens' | 'daily_tokens';

export interface ProviderUnavailableDetails {
  provider: string;
  org?: string | undefined;
  reason: ProviderUnavailableReason;
  limitName?: ProviderLimitName | undefined;
  limit?: number | undefined;
  usage?: number | undefined;
  resetAt?: Date | undefined;
  message?: string | undefined;
}

/** A provider is not available for the caller's organisation (disabled, over its limit, cooling down, or enforcement unreachable in fail-closed mode). */
export class ProviderUnavailableError extends Error {
  override readonly name: string = 'ProviderUnavailableError';
  /** 429 for a rate limit, 403 when disabled, 503 otherwise. */
  readonly status: number;
  readonly code: string;
  readonly provider: string;
  readonly org: string | undefined;
  readonly reason: ProviderUnavailableReason;
  readonly limitName: ProviderLimitName | undefined;
  readonly limit: number | undefined;
  readonly usage: number | undefined;
  readonly resetAt: Date | undefined;

  constructor(details: ProviderUnavailableDetails) {
    super(details.message ?? describeUnavailable(details));
    this.provider = details.provider;
    this.org = details.org;
    this.reason = details.reason;
    this.limitName = details.limitName;
    this.limit = details.limit;
    this.usage = details.usage;
    this.resetAt = details.resetAt;
    this.status = details.reason === 'rate_limited' ? 429 : details.reason === 'disabled' ? 403 : 503;
    this.code = `provider_${details.reason}`;
  }
}

/**
 * A governance setting is invalid (`TOKENMETER_ENFORCEMENT`, the control
 * plane URL or token, an attribution variable) where fail-closed was meant or
 * cannot be ruled out: every call is refused until it is fixed. A
 * `ProviderUnavailableError` with reason `enforcement_unavailable` (503), so
 * code that handles fail-closed handles it, and the router does not fall back.
 */
export class GovernanceConfigError extends ProviderUnavailableError {
  override readonly name: string = 'GovernanceConfigError';
  override readonly code: string = 'governance_config_invalid';
  /** The environment variable to fix. */
  readonly variable: string;

  constructor(details: { provider: string; org?: string | undefined; variable: string; problem: string }) {
    super({ provider: details.provider, org: details.org, reason: 'enforcement_unavailable', message: `tokenmeter: call refused: ${details.problem}` });
    this.variable = details.variable;
  }
}

/** Whether `error` is one of our refusals (the router falls back on these). */
export function isRefusal(error: unknown): error is QuotaExceededError | ProviderUnavailableError {
  return error instanceof QuotaExceededError || error instanceof ProviderUnavailableError;
}

function describeBlock(block: EnforcementBlock): string {
  const who = `${block.scope} "${block.subject}"`;
  const parts = [`tokenmeter: ${who} is blocked`];
  if (block.quota_id !== undefined) {
    const amount =
      block.limit !== undefined && block.usage !== undefined
        ? ` (usage ${block.usage} of limit ${block.limit}${block.metric === 'cost' ? ' USD' : block.metric === undefined ? '' : ` ${block.metric}`})`
        : '';
    parts.push(` by quota ${block.quota_id}${amount}`);
  } else {
    parts.push(` (${block.reason})`);
  }
  if (block.reset_at !== undefined) parts.push(`; resets at ${block.reset_at}`);
  if (block.message !== undefined && block.message !== '') parts.push(`: ${block.message}`);
  return parts.join('');
}

function describeUnavailable(details: ProviderUnavailableDetails): string {
  const forOrg = details.org === undefined ? '' : ` for org "${details.org}"`;
  switch (details.reason) {
    case 'disabled':
      return `tokenmeter: provider "${details.provider}" is disabled${forOrg}`;
    case 'rate_limited': {
      const reset = details.resetAt === undefined ? '' : `; resets at ${details.resetAt.toISOString()}`;
      return `tokenmeter: provider "${details.provider}" is over its ${details.limitName ?? 'limit'} limit${forOrg} (usage ${details.usage ?? '?'} of limit ${details.limit ?? '?'})${reset}`;
    }
    case 'enforcement_unavailable':
      return `tokenmeter: the control plane is unreachable and TOKENMETER_ENFORCEMENT=fail-closed refuses calls to "${details.provider}"`;
    case 'cooling_down':
      return `tokenmeter: provider "${details.provider}" is cooling down after repeated failures`;
  }
}
