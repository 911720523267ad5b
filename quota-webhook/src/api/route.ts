/** Declares a route once: express handler + auth + validation + its OpenAPI description. */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { ApiError, parseOr400 } from '../errors.js';
import type { Authenticator, Role } from './auth.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A request that carries a body (`Content-Length` > 0 or chunked). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** 415 for a body that is not JSON (the JSON parser leaves such a body unread). */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (req.body === undefined && hasBody(req) && !req.is(JSON_TYPES)) {
    next(new ApiError(415, 'unsupported_media_type', `request body: Content-Type must be application/json (got "${req.get('content-type') ?? 'none'}")`,
      [{ path: '', message: 'must be application/json' }]));
    return;
  }
  next();
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  /** Express path under `/api/v1`, e.g. `/quotas/:id`. */
  path: string;
  summary: string;
  tag: string;
  roles: readonly Role[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Response description for OpenAPI. */
  response?: z.ZodType;
  responseContentType?: string;
  /** The handler validates `body` itself (documented, not parsed up front). */
  manualBody?: boolean;
  /** Success statuses for OpenAPI; default by method (POST 201, DELETE 204, else 200). */
  statuses?: readonly number[];
}

export interface Ctx<B, Q> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  actor: string;
  params: Record<string, string>;
}

export class Api {
  readonly specs: RouteSpec[] = [];

  /** `jsonBody` parses request bodies; it runs after authentication, so an unauthenticated client cannot make the service read a large body. */
  constructor(
    private readonly _router: Router,
    private readonly _auth: Authenticator,
    private readonly _jsonBody: RequestHandler,
  ) {}

  add<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    spec: RouteSpec & { body?: B; query?: Q },
    handler: (ctx: Ctx<B extends z.ZodType ? z.output<B> : undefined, Q extends z.ZodType ? z.output<Q> : undefined>) => Promise<unknown> | unknown,
  ): void {
    this.specs.push(spec);
    const template = `/api/v1${spec.path}`;
    const label = (_req: Request, res: Response, next: () => void): void => {
      res.locals.route = template;
      next();
    };
    const parsers: RequestHandler[] = spec.method === 'get' || spec.method === 'delete' ? [] : [this._jsonBody, requireJson];
    this._router[spec.method](spec.path, label, this._auth.require(spec.roles), ...parsers, async (req: Request, res: Response) => {
      const body = (spec.body && !spec.manualBody ? parseOr400(spec.body, req.body) : undefined) as never;
      const query = (spec.query ? parseOr400(spec.query, { ...(req.query as object) }, 'query') : undefined) as never;
      const out = await handler({ req, res, body, query, actor: String(res.locals.actor ?? 'unknown'), params: req.params as Record<string, string> });
      if (res.headersSent) return;
      if (out === undefined) res.status(204).end();
      else res.json(out);
    });
  }
}
