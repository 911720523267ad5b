/** Start-up failures as one line naming the setting, what happened and what to do (no stack trace). */
import type { Config } from './config.js';

/** One line for a start-up failure: which setting, what happened, what to do. */
export function startupFailure(error: unknown, config: Config): string {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  const where = `${config.host}:${config.port}`;
  if (e.code === 'EADDRINUSE') return `TOKENMETER_CONTROL_PLANE_PORT=${config.port}: ${where} is already in use; stop what listens there or choose another port`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `TOKENMETER_CONTROL_PLANE_PORT=${config.port}: not allowed to listen on ${where}; use a port above 1023 or run with the right privileges`;
  if (e.code === 'EADDRNOTAVAIL' || (e.code === 'ENOTFOUND' && e.syscall === 'getaddrinfo' && e.hostname === config.host)) return `TOKENMETER_CONTROL_PLANE_HOST=${config.host}: this machine has no such address; use 127.0.0.1, 0.0.0.0 or one of its own addresses`;
  const postgres = /^postgres(ql)?:/i.test(config.dbUrl);
  const db = postgres ? redact(config.dbUrl) : config.dbUrl;
  if (postgres && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH')) return `TOKENMETER_DB_URL=${db}: Postgres is not reachable (${e.code}); start it or fix the host and port`;
  if (postgres && typeof e.code === 'string' && /^(28|3D)/.test(e.code)) return `TOKENMETER_DB_URL=${db}: Postgres refused the login or database (${e.message}); fix the user, password or database name`;
  if (!postgres && (e.code === 'ERR_SQLITE_ERROR' || /unable to open database|SQLITE_CANTOPEN|not a database|readonly/i.test(String(e.message)))) return `TOKENMETER_DB_URL=${db}: cannot open the SQLite database (${e.message}); check the path exists and is writable`;
  return `failed to start: ${error instanceof Error ? error.message : String(error)}`;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

