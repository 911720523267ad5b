/**
 * Bearer-token roles with constant-time comparison: admin (everything), read
 * (GETs), ingest (usage ingest, enforcement feed, prices, directory) and
 * alertmanager (the receiver), metrics (`/metrics` only). No token → 401; a
 * known token of the wrong role → 403. With no token configured at all the
 * API runs open (the configuration then allows only a loopback address,
 * unless an operator opens it explicitly).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Config, TokenRole } from '../config.js';
import { ApiError } from '../errors.js';

export type Role = TokenRole;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class Authenticator {
  private readonly _tokens: Array<{ role: Role; digest: Buffer }> = [];

  constructor(tokens: Config['tokens']) {
    for (const role of ['admin', 'read', 'ingest', 'alertmanager', 'metrics'] as const) {
      const t = tokens[role];
      if (t !== undefined) this._tokens.push({ role, digest: digest(t) });
    }
  }

  get open(): boolean {
    return this._tokens.length === 0;
  }

  /** The role of a presented token; compares against every configured token in constant time. */
  roleOf(token: string): Role | undefined {
    const d = digest(token);
    let found: Role | undefined;
    for (const t of this._tokens) if (timingSafeEqual(d, t.digest) && found === undefined) found = t.role;
    return found;
  }

  /** Middleware allowing `roles` (admin always). Sets `res.locals.actor`. */
  require(roles: readonly Role[]): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      if (this.open) {
        res.locals.actor = 'anonymous';
        next();
        return;
      }
      const header = req.get('authorization') ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) {
        next(new ApiError(401, 'unauthorized', 'missing bearer token: send "Authorization: Bearer <token>"'));
        return;
      }
      const role = this.roleOf(m[1]!);
      if (role === undefined) {
        next(new ApiError(401, 'unauthorized', 'unknown bearer token'));
        return;
      }
      if (role !== 'admin' && !roles.includes(role)) {
        next(new ApiError(403, 'forbidden', `the ${role} token may not ${req.method} this resource`));
        return;
      }
      res.locals.actor = role;
      next();
    };
  }
}
