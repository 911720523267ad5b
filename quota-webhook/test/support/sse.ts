/** A minimal `text/event-stream` reader over fetch: events in arrival order, awaited one by one. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The next event (comments and `retry:` lines skipped); rejects if the stream ends first. */
  next(): Promise<SseEvent>;
  /** Every `retry:` value seen so far. */
  retries: number[];
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const retries: number[] = [];
  const queue: SseEvent[] = [];
  const waiters: Array<{ resolve: (e: SseEvent) => void; reject: (e: Error) => void }> = [];
  let ended: Error | undefined;
  const deliver = (e: SseEvent): void => {
    const w = waiters.shift();
    if (w) w.resolve(e);
    else queue.push(e);
  };
  const end = (error: Error): void => {
    ended = error;
    for (const w of waiters.splice(0)) w.reject(error);
  };
  if (res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const e: SseEvent = { event: 'message', data: '' };
            const data: string[] = [];
            let hasField = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const i = line.indexOf(':');
              const field = i < 0 ? line : line.slice(0, i);
              const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'retry') retries.push(Number(val));
              else if (field === 'event') { e.event = val; hasField = true; }
              else if (field === 'id') { e.id = val; hasField = true; }
              else if (field === 'data') { data.push(val); hasField = true; }
            }
            if (hasField) deliver({ ...e, data: data.join('\n') });
          }
        }
        end(new Error('event stream ended'));
      } catch (error) {
        end(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  } else end(new Error('no body'));
  return {
    status: res.status,
    headers: res.headers,
    retries,
    next: () => {
      const e = queue.shift();
      if (e) return Promise.resolve(e);
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    close: () => abort.abort(),
  };
}
