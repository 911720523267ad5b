/**
 * An HTTP receiver speaking the control plane's API as `protocol.ts` states
 * it (`POST /api/v1/usage` answering `UsageIngestResponse`, `GET
 * /api/v1/directory`, `GET /api/v1/prices`), with answers the test chooses:
 * it lets a test produce what the real control plane does only in rare
 * failures (a record rejected by index, a whole batch refused, a 503). The
 * real control plane is used in `test/e2e/ledger.e2e.test.ts`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundledPrices } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { UsageIngestResponse, UsageRecord } from '@tokenmeter/instrumentation/protocol';

export interface UsageAnswer {
  status: number;
  body: unknown;
}

export interface DirectoryUser {
  user: string;
  department?: string;
  org?: string;
}

export interface FakeControlPlane {
  url: string;
  /** Every batch posted, in order. */
  batches: UsageRecord[][];
  /** Every request as `METHOD path`. */
  requests: string[];
  authorizations: string[];
  priceRequests: Array<string | undefined>;
  directoryRequests: Array<string | undefined>;
  /** Users served by `GET /api/v1/directory` (change it to change the directory). */
  directory: DirectoryUser[];
  /** Serve the directory with an ETag (and answer 304 to a matching If-None-Match). */
  directoryEtag: boolean;
  /** Status of `GET /api/v1/directory` (200 serves `directory`). */
  directoryStatus: number;
  /** How `POST /api/v1/usage` answers a batch; default: every record accepted. */
  usage: (records: UsageRecord[]) => UsageAnswer;
  close(): Promise<void>;
}

export const accepted = (records: UsageRecord[], rejected: UsageIngestResponse['rejected'] = []): UsageAnswer => ({
  status: 200,
  body: { accepted: records.length - rejected.length, duplicates: 0, unpriced: 0, rejected } satisfies UsageIngestResponse,
});

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeControlPlane(options: { prices?: PriceEntry[] } = {}): Promise<FakeControlPlane> {
  const prices = options.prices ?? bundledPrices;
  const state = {
    batches: [] as UsageRecord[][],
    requests: [] as string[],
    authorizations: [] as string[],
    priceRequests: [] as Array<string | undefined>,
    directoryRequests: [] as Array<string | undefined>,
    directory: [] as DirectoryUser[],
    directoryEtag: false,
    directoryStatus: 200,
    usage: (records: UsageRecord[]): UsageAnswer => accepted(records),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      state.requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      state.authorizations.push(req.headers.authorization ?? '');
      if (req.method === 'GET' && req.url === '/api/v1/prices') {
        state.priceRequests.push(req.headers['if-none-match']);
        if (req.headers['if-none-match'] === '"rev-1"') return res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'application/json', etag: '"rev-1"' }).end(JSON.stringify({ prices }));
      } else if (req.method === 'GET' && req.url === '/api/v1/directory') {
        state.directoryRequests.push(req.headers['if-none-match']);
        if (state.directoryStatus !== 200) return res.writeHead(state.directoryStatus, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"down"}}');
        const body = JSON.stringify({ users: state.directory.map((u) => ({ ...u, updated_at: '2026-01-01T00:00:00Z' })) });
        const etag = `"${body.length}-${state.directory.length}"`;
        if (state.directoryEtag && req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
        res.writeHead(200, { 'content-type': 'application/json', ...(state.directoryEtag ? { etag } : {}) }).end(body);
      } else if (req.method === 'POST' && req.url === '/api/v1/usage') {
        const parsed = JSON.parse(await readText(req)) as { records: UsageRecord[] };
        state.batches.push(parsed.records);
        const answer = state.usage(parsed.records);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no such route"}}');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake = state as unknown as FakeControlPlane;
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

/** A pino destination that keeps the log lines, parsed. */
export function logCapture(): { stream: { write(line: string): void }; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
}
