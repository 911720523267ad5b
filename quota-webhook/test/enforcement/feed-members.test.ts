/**
 * Department and org blocks carry the directory's members, so an SDK refuses
 * a call that names only its user (the ledger counts that call towards the
 * department by the same directory); directory changes update the feed.
 */
import type { EnforcementState } from '@tokenmeter/instrumentation/protocol';
import { waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function blocks(t: TestServer): Promise<EnforcementState['blocks']> {
  return (await t.json<EnforcementState>('GET', '/api/v1/enforcement', undefined, 'read')).body.blocks;
}

describe('enforcement feed: members of department and org blocks', () => {
  it('lists the directory users of a blocked department or org, and follows directory changes', async () => {
    s = await startTestServer();
    for (const [user, department] of [['ann', 'research'], ['bob', 'research'], ['carol', 'sales']]) {
      expect((await s.json('PUT', `/api/v1/directory/users/${user}`, { department, org: 'acme' })).status).toBe(200);
    }
    expect((await s.json('POST', '/api/v1/blocks', { scope: 'department', subject: 'research' })).status).toBe(201);
    expect((await s.json('POST', '/api/v1/blocks', { scope: 'user', subject: 'zed' })).status).toBe(201);
    let current = await blocks(s);
    expect(current.find((b) => b.scope === 'department')?.members).toEqual(['ann', 'bob']);
    expect(current.find((b) => b.scope === 'user')?.members).toBeUndefined();

    // Carol moves to research; Ann leaves the directory.
    await s.json('PUT', '/api/v1/directory/users/carol', { department: 'research', org: 'acme' });
    expect((await s.call('DELETE', '/api/v1/directory/users/ann')).status).toBe(204);
    current = await waitFor(async () => {
      const b = await blocks(s!);
      return b.find((x) => x.scope === 'department')?.members?.join() === 'bob,carol' ? b : undefined;
    }, { what: 'the feed to follow the directory' });
    expect(current.find((b) => b.scope === 'department')?.members).toEqual(['bob', 'carol']);

    expect((await s.json('POST', '/api/v1/blocks', { scope: 'org', subject: 'acme' })).status).toBe(201);
    expect((await blocks(s)).find((b) => b.scope === 'org')?.members).toEqual(['bob', 'carol']);
  });
});
