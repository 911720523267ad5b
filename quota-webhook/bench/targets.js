/**
 * The databases the benches run against, each with the raw SQL of the
 * baselines: a bare INSERT of ledger rows into a table of the same columns
 * and keys but no running totals, and the per-user sums of a window computed
 * from the raw records (GROUP BY).
 *
 * SQLite: files in a temp directory, WAL, `synchronous = FULL` (the service's
 * default) for the ledger and the baseline alike. Postgres: the real server
 * tools/testkit starts for tests, one database per bench. Its command line
 * sets fsync=off (a command-line setting no ALTER SYSTEM overrides), so its
 * commits reach the OS, not the disk: its figures leave out the flush that
 * SQLite's are measured with.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { UNNEST_RECORD_PARAMS } from '../dist/store/postgres.js';
import { RECORD_COLUMNS, recordValues } from '../dist/store/sql.js';
import { RECORDS_SCHEMA } from '../dist/store/sqlite.js';
import { LEDGER_COLUMNS, columnSql } from '../dist/store/schema.js';

// Postgres: the ledger's columns, one plain table keyed by id (the ledger's is
// partitioned by month, keyed by (id, time_ms) plus a record_ids claim table).
const PG_BARE_SCHEMA = `CREATE TABLE IF NOT EXISTS bare_records (
  ${LEDGER_COLUMNS.map((c) => columnSql(c, 'postgres')).join(',\n  ')},
  PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS bare_records_time ON bare_records (time_ms, id);
`;
const GROUP_BY_USER = `SELECT user_id AS subject, COUNT(*) AS requests, SUM(tokens) AS tokens, COALESCE(SUM(cost_pico), 0) AS cost_pico
  FROM records WHERE time_ms >= ? AND time_ms < ? AND user_id IS NOT NULL GROUP BY user_id`;

/** Per-user sums as a Map subject → { requests, tokens, cost_pico (bigint) }. */
function sumsOf(rows) {
  const out = new Map();
  for (const r of rows) out.set(String(r.subject), { requests: Number(r.requests), tokens: Number(r.tokens), cost_pico: BigInt(r.cost_pico) });
  return out;
}

/** A SQLite target: the ledger file `<name>.db` and the baseline's `<name>-bare.db` in `dir`. */
export function sqliteTarget(dir, name) {
  const dbPath = join(dir, `${name}.db`);
  const bare = new DatabaseSync(join(dir, `${name}-bare.db`));
  bare.exec('PRAGMA journal_mode = WAL');
  bare.exec('PRAGMA synchronous = FULL');
  bare.exec(RECORDS_SCHEMA); // the ledger's records table, without the totals
  const insert = bare.prepare(`INSERT INTO records (${RECORD_COLUMNS.join(', ')}) VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')})`);
  let reader;
  return {
    kind: 'sqlite',
    label: 'SQLite (node:sqlite, WAL, synchronous=FULL)',
    dbUrl: dbPath,
    /** Baseline: the rows inserted in one transaction, nothing else. */
    async bareInsert(rows) {
      bare.exec('BEGIN IMMEDIATE');
      try {
        for (const r of rows) insert.run(...recordValues(r));
        bare.exec('COMMIT');
      } catch (error) {
        bare.exec('ROLLBACK');
        throw error;
      }
    },
    /** Baseline: per-user sums of [from, to) from the raw ledger records (a second connection; WAL lets it read alongside). */
    async groupByUser(from, to) {
      if (reader === undefined) {
        reader = new DatabaseSync(dbPath, { readOnly: true });
        reader.exec('PRAGMA busy_timeout = 5000');
      }
      const stmt = reader.prepare(GROUP_BY_USER);
      stmt.setReadBigInts(true);
      return sumsOf(stmt.all(from, to));
    },
    async close() {
      bare.close();
      reader?.close();
    },
  };
}

/** A Postgres target: a fresh database `name` on the server at `serverUrl` (database `tokenmeter`), baseline table inside it. */
export async function postgresTarget(serverUrl, name) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  // Commits wait for their WAL write, as in production (the testkit's server defaults to off; fsync stays off, see above).
  await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = on`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  await pool.query(PG_BARE_SCHEMA);
  const bareSql = `INSERT INTO bare_records (${RECORD_COLUMNS.join(', ')}) SELECT * FROM unnest(${UNNEST_RECORD_PARAMS})`;
  let n = 0;
  const groupSql = GROUP_BY_USER.replace(/\?/g, () => `$${++n}`);
  return {
    kind: 'postgres',
    label: 'Postgres 15 (real server from tools/testkit; fsync=off, synchronous_commit=on)',
    dbUrl,
    /** Baseline: the rows in one INSERT … SELECT FROM unnest (one statement, one round trip, its own transaction). */
    async bareInsert(rows) {
      const cols = RECORD_COLUMNS.map(() => []);
      for (const r of rows) recordValues(r).forEach((v, i) => cols[i].push(typeof v === 'bigint' ? v.toString() : v));
      await pool.query(bareSql, cols);
    },
    async groupByUser(from, to) {
      return sumsOf((await pool.query(groupSql, [from, to])).rows);
    },
    async close() {
      await pool.end();
    },
  };
}
