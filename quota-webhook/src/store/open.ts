/** Opens the store named by `TOKENMETER_DB_URL`: `postgres://…` → Postgres, anything else → a SQLite file. */
import type { Config } from '../config.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export function sqlitePath(dbUrl: string): string {
  if (dbUrl === ':memory:' || dbUrl === 'file::memory:') return ':memory:';
  if (dbUrl.startsWith('file://')) return new URL(dbUrl).pathname;
  if (dbUrl.startsWith('file:')) return dbUrl.slice('file:'.length);
  if (dbUrl.startsWith('sqlite:')) return dbUrl.slice('sqlite:'.length).replace(/^\/\//, '');
  return dbUrl;
}

export async function openStore(config: Config): Promise<Store> {
  if (/^postgres(ql)?:/i.test(config.dbUrl)) {
    const { PostgresStore } = await import('./postgres.js');
    const store = new PostgresStore(config.dbUrl);
    await store.init();
    return store;
  }
  const store = new SqliteStore(sqlitePath(config.dbUrl), { synchronous: config.sqliteSynchronous });
  await store.init();
  return store;
}
