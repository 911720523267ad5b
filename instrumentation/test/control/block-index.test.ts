import { describe, expect, it } from 'vitest';
import { BlockIndex } from '../../src/control/block-index.js';
import type { EnforcementBlock } from '../../src/protocol.js';

function block(scope: EnforcementBlock['scope'], subject: string, extra: Partial<EnforcementBlock> = {}): EnforcementBlock {
  return { id: `b-${scope}-${subject}`, scope, subject, reason: 'quota', since: '2026-01-01T00:00:00Z', ...extra };
}

describe('BlockIndex', () => {
  it('finds a block on any of the five scopes of a call', () => {
    const index = new BlockIndex([
      block('org', 'acme'),
      block('department', 'research'),
      block('user', 'u1'),
      block('feature', 'search'),
      block('provider', 'anthropic'),
    ]);
    expect(index.find({ org: 'acme' }, 'openai')?.subject).toBe('acme');
    expect(index.find({ org: 'other', department: 'research' }, 'openai')?.scope).toBe('department');
    expect(index.find({ user: 'u1' }, 'openai')?.scope).toBe('user');
    expect(index.find({ feature: 'search' }, 'openai')?.scope).toBe('feature');
    expect(index.find({}, 'anthropic')?.scope).toBe('provider');
    expect(index.find({ org: 'other', department: 'sales', user: 'u2', feature: 'chat' }, 'openai')).toBeUndefined();
  });

  it('applies every block that matches (all that apply apply)', () => {
    const index = new BlockIndex([block('user', 'u1'), block('feature', 'search')]);
    expect(index.findAll({ user: 'u1', feature: 'search' }, 'openai').map((b) => b.scope)).toEqual(['user', 'feature']);
    // A call matching only the feature is still refused.
    expect(index.find({ user: 'u2', feature: 'search' }, 'openai')?.scope).toBe('feature');
  });

  it('a department or org block refuses its directory members when the call carries only the user', () => {
    const index = new BlockIndex([
      block('department', 'research', { members: ['bob', 'dora'] }),
      block('org', 'acme', { members: ['carol'] }),
    ]);
    expect(index.find({ user: 'bob' }, 'openai')?.subject).toBe('research');
    expect(index.find({ user: 'dora', feature: 'search' }, 'openai')?.scope).toBe('department');
    expect(index.find({ user: 'carol' }, 'openai')?.subject).toBe('acme');
    // Not a member, or the call names another department itself (the ledger counts it there): allowed.
    expect(index.find({ user: 'erin' }, 'openai')).toBeUndefined();
    expect(index.find({ user: 'bob', department: 'sales' }, 'openai')).toBeUndefined();
    expect(index.findAll({ user: 'bob', org: 'acme' }, 'openai').map((b) => b.subject)).toEqual(['acme', 'research']);
  });

  it('a subject "*" blocks every call that has that scope, and only those', () => {
    const index = new BlockIndex([block('department', '*')]);
    expect(index.find({ department: 'any' }, 'openai')?.subject).toBe('*');
    expect(index.find({ org: 'acme' }, 'openai')).toBeUndefined();
  });

  it('a block whose reset time has passed no longer refuses', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const index = new BlockIndex([
      block('user', 'past', { reset_at: '2026-03-01T11:00:00Z' }),
      block('user', 'future', { reset_at: '2026-03-01T13:00:00Z' }),
    ]);
    expect(index.find({ user: 'past' }, 'openai', now)).toBeUndefined();
    expect(index.find({ user: 'future' }, 'openai', now)?.subject).toBe('future');
  });

  it('keeps the longest-lasting of several blocks on one subject and ignores unknown scopes', () => {
    const index = new BlockIndex([
      block('org', 'acme', { id: 'short', reset_at: '2026-03-01T13:00:00Z' }),
      block('org', 'acme', { id: 'long', reset_at: '2026-03-02T00:00:00Z' }),
      { ...block('org', 'x'), scope: 'team' as never },
    ]);
    expect(index.find({ org: 'acme' }, 'openai', Date.parse('2026-03-01T12:00:00Z'))?.id).toBe('long');
    expect(index.find({ org: 'x' }, 'openai')).toBeUndefined();
  });

  it('decides 10,000 loaded blocks by lookup', () => {
    const blocks = Array.from({ length: 10_000 }, (_, i) => block('user', `user-${i}`));
    const index = new BlockIndex(blocks);
    expect(index.size).toBe(10_000);
    expect(index.find({ user: 'user-9999' }, 'openai')?.subject).toBe('user-9999');
    expect(index.find({ user: 'user-10000' }, 'openai')).toBeUndefined();
  });
});
