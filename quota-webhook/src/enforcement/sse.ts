/**
 * `GET /api/v1/enforcement/stream`: a full `state` event on connect and on
 * every change, and a comment heartbeat so proxies keep the connection open.
 * A changed block set is sent at once (a refused call must not wait); usage
 * updates go at most once per coalescing interval (the latest state wins).
 */
import type { Request, Response } from 'express';
import type { EnforcementState } from '@tokenmeter/instrumentation/protocol';
import type { EnforcementFeed } from './feed.js';

export interface SseOptions {
  coalesceMillis: number;
  heartbeatMillis: number;
}

export class SseHub {
  private readonly _clients = new Set<Response>();

  constructor(
    private readonly _feed: EnforcementFeed,
    private readonly _options: SseOptions,
  ) {}

  get size(): number {
    return this._clients.size;
  }

  handle(req: Request, res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    let lastSent = 0;
    let lastRevision = -1;
    let pending: NodeJS.Timeout | undefined;
    const send = (state: EnforcementState): void => {
      if (state.revision === lastRevision) return;
      lastRevision = state.revision;
      lastSent = Date.now();
      res.write(`event: state\nid: ${state.revision}\ndata: ${JSON.stringify(state)}\n\n`);
    };
    const onChange = (_state: EnforcementState, blocksChanged: boolean): void => {
      const wait = lastSent + this._options.coalesceMillis - Date.now();
      if (wait <= 0 || blocksChanged) {
        if (pending) clearTimeout(pending);
        pending = undefined;
        send(this._feed.state());
      }
      else if (!pending) {
        pending = setTimeout(() => {
          pending = undefined;
          send(this._feed.state());
        }, wait);
      }
    };
    send(this._feed.state());
    const unsubscribe = this._feed.subscribe(onChange);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this._options.heartbeatMillis);
    heartbeat.unref();
    this._clients.add(res);
    const cleanup = (): void => {
      unsubscribe();
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      this._clients.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const res of this._clients) res.end();
    this._clients.clear();
  }
}
