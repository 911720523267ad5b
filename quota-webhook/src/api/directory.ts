/** `/directory`: user → department → organisation, used to enrich records at ingest. */
import { z } from 'zod';
import type { ControlPlane } from '../control-plane.js';
import { notFound } from '../errors.js';
import type { Api } from './route.js';

const name = z.string().min(1, 'must not be empty').max(256);
export const directoryPutSchema = z.strictObject({ department: name.optional(), org: name.optional() });

export function mountDirectory(api: Api, cp: ControlPlane): void {
  api.add({ method: 'get', path: '/directory', tag: 'directory', roles: ['read', 'ingest'], summary: 'Every user with department and org' },
    () => ({ users: cp.directory.list() }));

  api.add({ method: 'get', path: '/directory/users/:user', tag: 'directory', roles: ['read', 'ingest'], summary: 'One user' }, ({ params }) => {
    const e = cp.directory.get(params.user!);
    if (!e) throw notFound('user', params.user!);
    return e;
  });

  api.add({ method: 'put', path: '/directory/users/:user', tag: 'directory', roles: [], body: directoryPutSchema, summary: 'Set a user\'s department and org' },
    async ({ body, params, actor }) => {
      const e = { user: params.user!, ...body, updated_at: new Date(cp.clock()).toISOString() };
      await cp.directory.put(e.user, e, actor, 'put');
      return e;
    });

  api.add({ method: 'delete', path: '/directory/users/:user', tag: 'directory', roles: [], summary: 'Remove a user' }, async ({ params, actor }) => {
    if (!(await cp.directory.delete(params.user!, actor))) throw notFound('user', params.user!);
    return undefined;
  });
}
