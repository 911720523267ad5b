/**
 * The current block set, indexed for the per-call decision: one Map per scope
 * keyed by subject, so deciding a call is at most five lookups with the
 * call's own strings as keys (no key building, no allocation when the call
 * is allowed).
 */
import type { Attribution, EnforcementBlock } from '../protocol.js';

interface IndexedBlock {
  block: EnforcementBlock;
  /** `reset_at` in epoch ms (Infinity when the block has no reset time). */
  resetAtMs: number;
}

/** Blocks of one scope by subject; the `*` block (every subject) is kept aside so a miss costs one lookup. */
class ScopeMap {
  readonly bySubject = new Map<string, IndexedBlock>();
  wildcard: IndexedBlock | undefined = undefined;
}

/** Several blocks on one subject: the one that lasts longest is kept. */
function outlasts(entry: IndexedBlock, held: IndexedBlock | undefined): boolean {
  return held === undefined || held.resetAtMs < entry.resetAtMs;
}

export class BlockIndex {
  private readonly _org = new ScopeMap();
  private readonly _department = new ScopeMap();
  private readonly _user = new ScopeMap();
  private readonly _feature = new ScopeMap();
  private readonly _provider = new ScopeMap();
  /** Users the directory places in a blocked department / org (`members`), for calls that carry only their user. */
  private readonly _departmentMembers = new Map<string, IndexedBlock>();
  private readonly _orgMembers = new Map<string, IndexedBlock>();
  private readonly _size: number;

  constructor(blocks: readonly EnforcementBlock[] = []) {
    for (const block of blocks) {
      const map = this._mapOf(block.scope);
      if (map === undefined) continue; // a scope this SDK does not know: ignore rather than fail
      const parsed = block.reset_at === undefined ? Number.NaN : Date.parse(block.reset_at);
      const entry: IndexedBlock = { block, resetAtMs: Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed };
      if (block.subject === '*') {
        if (outlasts(entry, map.wildcard)) map.wildcard = entry;
        continue;
      }
      if (outlasts(entry, map.bySubject.get(block.subject))) map.bySubject.set(block.subject, entry);
      const members = block.scope === 'department' ? this._departmentMembers : block.scope === 'org' ? this._orgMembers : undefined;
      if (members !== undefined && Array.isArray(block.members)) {
        for (const user of block.members) if (outlasts(entry, members.get(user))) members.set(user, entry);
      }
    }
    this._size = blocks.length;
  }

  /** Number of blocks loaded. */
  get size(): number {
    return this._size;
  }

  /**
   * The block that refuses a call with this attribution to this provider, or
   * undefined. Every applicable scope is checked (org, department, user,
   * feature, provider); a subject `*` blocks every call that has that scope.
   * A block whose reset time has passed no longer refuses (a new period
   * unblocks even before the control plane says so).
   */
  find(attribution: Attribution, provider: string, nowMs?: number): EnforcementBlock | undefined {
    if (this._size === 0) return undefined;
    return (
      this._check(this._org, attribution.org, nowMs) ??
      this._check(this._department, attribution.department, nowMs) ??
      this._check(this._user, attribution.user, nowMs) ??
      this._check(this._feature, attribution.feature, nowMs) ??
      this._check(this._provider, provider, nowMs) ??
      this._checkMember(this._orgMembers, attribution.org, attribution.user, nowMs) ??
      this._checkMember(this._departmentMembers, attribution.department, attribution.user, nowMs)
    );
  }

  /** Every block that applies to the call (for error details and diagnostics). */
  findAll(attribution: Attribution, provider: string, nowMs = Date.now()): EnforcementBlock[] {
    const out: EnforcementBlock[] = [];
    const pairs: [ScopeMap, string | undefined][] = [
      [this._org, attribution.org],
      [this._department, attribution.department],
      [this._user, attribution.user],
      [this._feature, attribution.feature],
      [this._provider, provider],
    ];
    for (const [map, subject] of pairs) {
      const block = this._check(map, subject, nowMs);
      if (block !== undefined) out.push(block);
    }
    for (const block of [
      this._checkMember(this._orgMembers, attribution.org, attribution.user, nowMs),
      this._checkMember(this._departmentMembers, attribution.department, attribution.user, nowMs),
    ]) {
      if (block !== undefined && !out.includes(block)) out.push(block);
    }
    return out;
  }

  /** A directory member's block applies only when the call does not name the scope itself (as the ledger enriches only then). */
  private _checkMember(members: Map<string, IndexedBlock>, own: string | undefined, user: string | undefined, nowMs: number | undefined): EnforcementBlock | undefined {
    if (own !== undefined || user === undefined || members.size === 0) return undefined;
    const entry = members.get(user);
    if (entry === undefined || entry.resetAtMs <= (nowMs ?? Date.now())) return undefined;
    return entry.block;
  }

  private _check(map: ScopeMap, subject: string | undefined, nowMs: number | undefined): EnforcementBlock | undefined {
    if (subject === undefined) return undefined;
    const entry = map.bySubject.get(subject) ?? map.wildcard;
    if (entry === undefined) return undefined;
    // Date.now() only on the refusal path: the allow path stays a lookup.
    if (entry.resetAtMs <= (nowMs ?? Date.now())) return undefined;
    return entry.block;
  }

  private _mapOf(scope: string): ScopeMap | undefined {
    switch (scope) {
      case 'org':
        return this._org;
      case 'department':
        return this._department;
      case 'user':
        return this._user;
      case 'feature':
        return this._feature;
      case 'provider':
        return this._provider;
      default:
        return undefined;
    }
  }
}
