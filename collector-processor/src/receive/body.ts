/**
 * Reads a request body up to a byte limit, counting while streaming (so an
 * oversized body is refused without buffering it), gunzipping when asked and
 * limiting the decompressed size too (a gzip bomb is refused the same way).
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

export class BodyTooLargeError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number, what: string) {
    super(`${what} is larger than the limit of ${limitBytes} bytes (TOKENMETER_MAX_BODY_BYTES)`);
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

export function readBody(req: IncomingMessage, limitBytes: number, gzip: boolean): Promise<Buffer> {
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
    gunzip.on('data', onData);
    gunzip.on('end', onEnd);
    gunzip.on('error', (error) => fail(new BadEncodingError(`body is not valid gzip: ${error.message}`)));
    req.pipe(gunzip);
  });
}
