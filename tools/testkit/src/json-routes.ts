import { createServer, type Server } from 'node:http';

export type JsonRoute = (body: Record<string, unknown>) => unknown;

export interface JsonRoutesOptions {
  /** The JSON body of a 500 answer for a route that threw (default: its name and message). */
  describeError?: (error: unknown) => unknown;
  /** Run on SIGTERM after the server stops listening (e.g. deliver buffered telemetry); the process then exits 0. */
  onStop?: () => Promise<unknown>;
}

/**
 * The driver endpoint of a test app run as a child process: `POST <path>` with a JSON body (or none) answers
 * 200 with the route's JSON result or 500 with the error described, anything else 404. Listens on
 * 127.0.0.1:$APP_PORT (0: a free port) and prints `READY <port>` once listening.
 */
export function serveJsonRoutes(routes: Record<string, JsonRoute>, options: JsonRoutesOptions = {}): Server {
  const describe = options.describeError ?? ((error: unknown) => ({ name: (error as Error | undefined)?.name, message: (error as Error | undefined)?.message }));
  const server = createServer((req, res) => {
    const route = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      Promise.resolve()
        .then(() => route(body === '' ? {} : (JSON.parse(body) as Record<string, unknown>)))
        .then(
          (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
          (error: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(describe(error))),
        );
    });
  });
  server.listen(Number(process.env.APP_PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`READY ${typeof address === 'object' && address !== null ? address.port : address}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void Promise.resolve(options.onStop?.()).finally(() => process.exit(0));
  });
  return server;
}
