// What the demo's governance does, one line per event, as the real system
// reports it (the launcher computes nothing of its own):
//   - a quota threshold reached, and a new period: the control plane's quota
//     status (`GET /api/v1/quotas?status=true`: exact usage, utilisation, window);
//   - each Alertmanager call: the receiver's audit records of notify alerts
//     (`GET /api/v1/audit`, kind `alert`) and, for block alerts (which leave no
//     audit record when the ledger has blocked already), the receiver's counter
//     `tokenmeter_alerts_received_total` with the alert's text from Alertmanager;
//   - each block and unblock (ingest, alert, period reset, admin): the audit
//     records of kind `block`.
import { printLines } from './processes.mjs';

/** Thresholds of a quota that sets none. */
const DEFAULT_THRESHOLDS = [0.8, 0.9, 1];

/** `user:frank` → `user frank`. */
function who(subject) {
  return (subject ?? '').replace(':', ' ');
}

function percent(ratio) {
  return `${Math.round(ratio * 100)} %`;
}

/** A quota window's usage as a reader wants it: exact dollars for cost, a count otherwise. */
export function amount(metric, window) {
  if (metric === 'cost') return `$${window.usage_usd} of $${window.limit_usd}`;
  return `${window.usage} of ${window.limit} ${metric}`;
}

/** One line for an audit record of a block, an unblock or a notify alert; undefined for other records. */
export function auditLine(entry) {
  const reason = entry.reason ?? '';
  if (entry.kind === 'block' && entry.action === 'block') {
    if (entry.actor === 'ledger') return `BLOCKED ${who(entry.subject)}: the ledger blocked at ingest (${reason})`;
    if (entry.actor === 'alertmanager') return `BLOCKED ${who(entry.subject)}: on Alertmanager's call (${reason})`;
    return `BLOCKED ${who(entry.subject)} by ${entry.actor} (${reason})`;
  }
  if (entry.kind === 'block' && entry.action === 'unblock') {
    if (/^(period reset|reset time)/.test(reason)) return `UNBLOCKED ${who(entry.subject)}: the period reset (${reason})`;
    if (entry.actor === 'alertmanager') return `UNBLOCKED ${who(entry.subject)}: its alert resolved (${reason})`;
    return `UNBLOCKED ${who(entry.subject)} by ${entry.actor} (${reason})`;
  }
  if (entry.kind === 'alert' && entry.action.startsWith('notify.')) {
    return `Alertmanager → control plane: ${entry.action.slice('notify.'.length)}: ${reason || who(entry.subject)} (recorded, notify only)`;
  }
  return undefined;
}

/**
 * Threshold crossings and new periods between two readings of the quota
 * status. `seen` maps quota id + subject to `{ windowStart, reached }` (how
 * many thresholds were reached in that window) and is updated in place.
 */
export function quotaLines(quotas, seen) {
  const lines = [];
  for (const quota of quotas) {
    const status = quota.status;
    if (status === undefined) continue;
    const thresholds = [...(quota.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
    const current = status.windows[0]?.window_start;
    // A new window: every subject that had reached a threshold starts again (it may have no usage yet).
    for (const [key, state] of seen) {
      if (state.quotaId !== quota.id || current === undefined || state.windowStart === current) continue;
      if (state.reached > 0) lines.push(`new ${status.period} for quota ${quota.id} (from ${current}): ${quota.scope} ${state.subject} starts again at 0`);
      seen.delete(key);
    }
    for (const window of status.windows) {
      const key = `${quota.id}\u0000${window.subject}`;
      const state = seen.get(key) ?? { quotaId: quota.id, subject: window.subject, windowStart: window.window_start, reached: 0 };
      const reached = thresholds.filter((t) => window.utilization >= t).length;
      for (let i = state.reached; i < reached; i++) {
        lines.push(
          `${quota.scope} ${window.subject} reached ${percent(thresholds[i])} of quota ${quota.id} (${quota.enforcement}): ${amount(quota.metric, window)} this ${status.period}`,
        );
      }
      seen.set(key, { ...state, windowStart: window.window_start, reached: Math.max(state.reached, reached) });
    }
  }
  return lines;
}

/** `tokenmeter_alerts_received_total` by `action/status` from a Prometheus text exposition. */
export function alertsReceived(metricsText) {
  const counts = new Map();
  for (const match of metricsText.matchAll(/^tokenmeter_alerts_received_total\{([^}]*)\}\s+(\S+)/gm)) {
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    counts.set(`${labels.action}/${labels.status}`, Number(match[2]));
  }
  return counts;
}

export class Story {
  /**
   * @param {{ controlPlaneUrl: string, readToken: string, alertmanagerUrl?: string, since: number,
   *   print?: (line: string) => void }} options
   *   since: audit records before this time (ms) are not told (a restart on old state).
   */
  constructor(options) {
    this._cp = options.controlPlaneUrl;
    this._headers = { authorization: `Bearer ${options.readToken}` };
    this._am = options.alertmanagerUrl;
    this._since = options.since;
    this._print = options.print ?? ((line) => printLines('story', line));
    this._lastAuditId = 0;
    this._lastAuditTime = 0;
    this._seen = new Map();
    this._received = new Map();
    /** Block alerts told so far: Alertmanager fingerprint → summary. */
    this._blockAlerts = new Map();
    this._lastError = '';
    this._timer = undefined;
    this._running = Promise.resolve();
  }

  /** Polls every `intervalMs` until stop(). */
  start(intervalMs = 1000) {
    this._timer = setInterval(() => {
      this._running = this._running.then(() => this.poll());
    }, intervalMs);
  }

  /** Stops polling, after one last round so that the final events are told. */
  async stop() {
    clearInterval(this._timer);
    this._running = this._running.then(() => this.poll());
    await this._running;
  }

  /** One round: quota status, audit, Alertmanager calls. Errors are told once, never thrown. */
  async poll() {
    try {
      // The audit is read before the quota status and told after it: a block read here was caused by usage that
      // the status (read later) already counts, so a threshold reached reads before the block it caused.
      const audit = await this._auditLines();
      await this._quotas();
      for (const line of audit) this._print(line);
      await this._alertCalls();
      this._lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this._lastError) this._print(`(cannot read the control plane: ${message})`);
      this._lastError = message;
    }
  }

  async _get(url, headers = this._headers) {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return response;
  }

  /** The audit lines not told yet (marked as told). */
  async _auditLines() {
    // One query for every kind (ids are one sequence); the window starts a little before the last record told,
    // since a record's time and its id need not be in the same order across concurrent writers.
    const from = new Date(Math.max(this._since, this._lastAuditTime - 5000)).toISOString();
    const body = await (await this._get(`${this._cp}/api/v1/audit?from=${encodeURIComponent(from)}&limit=10000`)).json();
    const lines = [];
    for (const entry of body.entries) {
      if (entry.id <= this._lastAuditId) continue;
      this._lastAuditId = entry.id;
      this._lastAuditTime = entry.time_ms;
      const line = auditLine(entry);
      if (line !== undefined) lines.push(line);
    }
    return lines;
  }

  async _quotas() {
    const body = await (await this._get(`${this._cp}/api/v1/quotas?status=true`)).json();
    for (const line of quotaLines(body.quotas, this._seen)) this._print(line);
  }

  async _alertCalls() {
    const counts = alertsReceived(await (await this._get(`${this._cp}/metrics`, {})).text());
    for (const status of ['firing', 'resolved']) {
      const key = `block/${status}`;
      const delta = (counts.get(key) ?? 0) - (this._received.get(key) ?? 0);
      if (delta > 0) for (const line of await this._blockAlertLines(status, delta)) this._print(line);
    }
    this._received = counts;
  }

  /** Lines for `count` block alerts received with `status`, named from Alertmanager's own list where it still holds them. */
  async _blockAlertLines(status, count) {
    const active = new Map();
    if (this._am !== undefined) {
      const filter = encodeURIComponent('tokenmeter_action="block"');
      const alerts = await (await this._get(`${this._am}/api/v2/alerts?filter=${filter}`, {})).json();
      for (const alert of alerts) active.set(alert.fingerprint, alert.annotations?.summary ?? `${alert.labels.scope} ${alert.labels.subject}`);
    }
    const named = [];
    if (status === 'firing') {
      for (const [fingerprint, summary] of active) {
        if (this._blockAlerts.has(fingerprint)) continue;
        this._blockAlerts.set(fingerprint, summary);
        named.push(summary);
      }
    } else {
      for (const [fingerprint, summary] of this._blockAlerts) {
        if (active.has(fingerprint)) continue;
        this._blockAlerts.delete(fingerprint);
        named.push(summary);
      }
    }
    const lines = named.slice(0, count).map((summary) => `Alertmanager → control plane: ${status}: ${summary} (block)`);
    const rest = count - lines.length;
    if (rest > 0) {
      // Alertmanager no longer lists them (or is not running): a count, and for firing alerts already told, a repeat.
      const again = this._am !== undefined && status === 'firing' ? ' again (a repeat: nothing changes)' : '';
      lines.push(`Alertmanager → control plane: ${rest} block alert${rest === 1 ? '' : 's'} ${status}${again}`);
    }
    return lines;
  }
}
