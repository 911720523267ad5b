/**
 * Text output with back-pressure: pieces are gathered into chunks of about
 * 16 KiB and each chunk waits for the destination to drain, so a slow client
 * or disk holds the report's production back instead of filling memory.
 */
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 16 * 1024;

/** Resolves when `out` can take more; rejects when it closes or fails first. */
export function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the report output closed before the report was complete'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}

export async function writeTo(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new Error('the report output closed before the report was complete');
  if (!out.write(chunk)) await drained(out);
}

export class TextSink {
  private _parts: string[] = [];
  private _size = 0;

  constructor(private readonly _out: Writable) {}

  /** Queues `s`; writes (and waits for drain) once a chunk is full. */
  async push(s: string): Promise<void> {
    this._parts.push(s);
    this._size += s.length;
    if (this._size >= CHUNK_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this._parts.length === 0) return;
    const chunk = this._parts.join('');
    this._parts = [];
    this._size = 0;
    await writeTo(this._out, chunk);
  }
}
