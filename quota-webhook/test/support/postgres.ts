/** A real PostgreSQL server (testkit) for the whole test file: started before its tests, stopped after them. */
import { startPostgres, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll } from 'vitest';

/** Registers the server's start and stop; call the answer inside tests (or hooks) for the running server. */
export function usePostgres(): () => RunningPostgres {
  let server: RunningPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the Postgres server is not running (usePostgres() answers inside tests only)');
    return server;
  };
}
