import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAttribution, setDefaultAttribution } from '../../src/attribution/context.js';
import { tokenmeterExpress } from '../../src/attribution/express.js';

interface User {
  id: string;
  dept?: string;
}

let server: Server;
let base: string;

beforeAll(async () => {
  setDefaultAttribution({ org: 'default-org' });
  const app = express();
  // Authentication first, as an app would mount it.
  app.use((req, _res, next) => {
    const auth = req.header('authorization');
    if (auth?.startsWith('Bearer ') === true) (req as express.Request & { user?: User }).user = { id: auth.slice(7), dept: 'from-auth' };
    next();
  });
  app.use(
    '/headers',
    tokenmeterExpress(),
  );
  app.use(
    '/auth',
    tokenmeterExpress<express.Request & { user?: User }>({
      headers: { user: false },
      fromRequest: (req) => (req.user === undefined ? undefined : { user: req.user.id, department: req.user.dept }),
    }),
  );
  app.use(
    '/broken',
    tokenmeterExpress({
      fromRequest: () => {
        throw new Error('bug in the extractor');
      },
    }),
  );
  // The "LLM call" of each handler happens after awaits, as real handlers do.
  const handler = async (_req: express.Request, res: express.Response): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.resolve();
    res.json(currentAttribution());
  };
  app.get('/headers', handler);
  app.get('/auth', handler);
  app.get('/broken', handler);
  app.get('/none', handler);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  setDefaultAttribution({});
  await new Promise((resolve) => server?.close(resolve));
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.json() };
}

describe('tokenmeterExpress with express 5 and real HTTP requests', () => {
  it('attributes the rest of the request from the x-tokenmeter-* headers, over the defaults', async () => {
    const res = await get('/headers', { 'x-tokenmeter-user': 'alice', 'x-tokenmeter-feature': 'answers', 'x-tokenmeter-session': 's1' });
    expect(res).toEqual({ status: 200, body: { org: 'default-org', user: 'alice', feature: 'answers', session: 's1' } });
  });

  it('keeps concurrent requests apart', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => get('/headers', { 'x-tokenmeter-user': `u${i}` })));
    expect(results.map((r) => (r.body as { user: string }).user)).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`));
  });

  it('ignores invalid header values and leaves the request unharmed', async () => {
    const res = await get('/headers', { 'x-tokenmeter-user': 'x'.repeat(500), 'x-tokenmeter-feature': 'a"b' });
    expect(res).toEqual({ status: 200, body: { org: 'default-org' } });
  });

  it('takes the user from req.user through fromRequest, ignoring a user header there', async () => {
    const res = await get('/auth', { authorization: 'Bearer bob', 'x-tokenmeter-user': 'mallory', 'x-tokenmeter-feature': 'f' });
    expect(res).toEqual({ status: 200, body: { org: 'default-org', user: 'bob', department: 'from-auth', feature: 'f' } });
  });

  it('lets the request through unattributed when the extractor throws', async () => {
    const res = await get('/broken', { 'x-tokenmeter-user': 'carol' });
    expect(res).toEqual({ status: 200, body: { org: 'default-org' } });
  });

  it('is exported as the package subpath @tokenmeter/instrumentation/express (built package)', async () => {
    const published = (await import('@tokenmeter/instrumentation/express')) as { tokenmeterExpress?: unknown };
    expect(typeof published.tokenmeterExpress).toBe('function');
  });

  it('does not leak attribution into requests without the middleware', async () => {
    expect(await get('/none', { 'x-tokenmeter-user': 'dave' })).toEqual({ status: 200, body: { org: 'default-org' } });
  });
});
