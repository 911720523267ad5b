/**
 * HTTP requests made synchronously, for the two moments the SDK cannot wait
 * on the event loop: a fail-closed call made before the first enforcement
 * state arrived (the call path is synchronous: the SDK must return the
 * provider SDK's own promise), and `process.exit()`, after which no callback
 * runs (the last usage records would be lost). A worker thread makes the
 * requests while this thread waits on a shared flag, bounded by a deadline
 * (the pattern of `synckit`).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** `workerData` marker of this worker: the register hook does nothing in it. */
export const INTERNAL_WORKER_MARKER = '__tokenmeterInternalWorker';

export interface SyncRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SyncAnswer {
  status: number;
  text: string;
}

// node:http rather than fetch: a worker that has not loaded undici starts several times faster.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { requests, deadline, retry, flag, port } = workerData;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, deadline - Date.now()))));
const send = (request) => new Promise((resolve) => {
  const url = new URL(request.url);
  const client = require(url.protocol === 'https:' ? 'node:https' : 'node:http');
  const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': Buffer.byteLength(request.body) };
  const req = client.request(url, { method: request.method, headers, timeout: Math.max(1, deadline - Date.now()) }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => { text += chunk; });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    res.on('error', () => resolve(null));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve(null));
  req.end(request.body);
});
(async () => {
  const answers = [];
  for (const request of requests) {
    let answer = null;
    while (Date.now() < deadline) {
      answer = await send(request);
      const final = answer !== null && answer.status < 500 && answer.status !== 408 && answer.status !== 429;
      if (!retry || final) break;
      await pause(100);
    }
    answers.push(answer);
  }
  port.postMessage(answers);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
})();
`;

/**
 * Sends `requests` in order and waits for their answers, at most
 * `waitMillis` (plus a moment for the worker to start). `retry`: a request
 * that failed (network error, 408, 429, 5xx) is tried again every 100 ms
 * until the deadline. Answers in order; undefined where none came.
 */
export function requestsSync(requests: readonly SyncRequest[], waitMillis: number, retry = false): (SyncAnswer | undefined)[] {
  const deadline = Date.now() + waitMillis;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { [INTERNAL_WORKER_MARKER]: true, requests, deadline, retry, flag, port: port2 },
    transferList: [port2],
  });
  worker.unref();
  try {
    Atomics.wait(flag, 0, 0, waitMillis + 1000);
    const answers = receiveMessageOnPort(port1)?.message as (SyncAnswer | null)[] | undefined;
    return requests.map((_, i) => answers?.[i] ?? undefined);
  } finally {
    port1.close();
    void worker.terminate(); // resolves once it stopped; nothing to wait for
  }
}
