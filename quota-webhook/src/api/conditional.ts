/** Conditional GET: sets the ETag and answers 304 when the client already holds this version. */
import type { Request, Response } from 'express';

/** True when the answer was 304 (the handler then returns nothing). */
export function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  const inm = req.get('if-none-match');
  if (inm === undefined || !inm.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(etag)) return false;
  res.status(304).end();
  return true;
}
