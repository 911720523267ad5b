/**
 * Reads a request body up to a byte limit, counting while streaming (so an
 * oversized body is refused without buffering it), gunzipping when asked and
 * limiting the decompressed size too (a gzip bomb is refused the same way).
 * `grow` is asked before the held (decompressed) size grows, so the receiver
 * can bound the bytes of all requests in flight.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

export class BodyTooLargeError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number, what: string) {
    super(`${what} is larger than the limit of ${limitBytes} bytes (TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES)`);
    this.name = 'BodyTooLargeError';
    this.limitBytes = limitBytes;
  }
}

export class BadEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadEncodingError';
  }
}

/** The receiver's queue of bytes is full: the request is refused with 429 while its body is still arriving. */
export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

/** Called with the body size so far (decompressed); returns a message when the receiver cannot hold more. */
export type GrowCheck = (totalBytes: number) => string | undefined;

export function readBody(req: IncomingMessage, limitBytes: number, gzip: boolean, grow: GrowCheck = () => undefined): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rawSize = 0;
    let done = false;
    const fail = (error: Error): void => {
      if (done) return;
      done = true;
      req.unpipe();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      size += chunk.length;
      if (size > limitBytes) return fail(new BodyTooLargeError(limitBytes, gzip ? 'decompressed body' : 'body'));
      const full = grow(size);
      if (full !== undefined) return fail(new QueueFullError(full));
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    req.on('error', fail);
    if (!gzip) {
      req.on('data', onData);
      req.on('end', onEnd);
      return;
    }
    const gunzip = createGunzip();
    req.on('data', (chunk: Buffer) => {
      rawSize += chunk.length;
      if (rawSize > limitBytes) {
        gunzip.destroy();
        fail(new BodyTooLargeError(limitBytes, 'body'));
      }
    });
    gunzip.on('data', (chunk: Buffer) => {
      onData(chunk);
      if (done) gunzip.destroy();
    });
    gunzip.on('end', onEnd);
    gunzip.on('error', (error) => fail(new BadEncodingError(`body is not valid gzip: ${error.message}`)));
    req.pipe(gunzip);
  });
}
