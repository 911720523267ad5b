import { configProblems } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/index.js';

const problems = (env: Record<string, string>) => configProblems(ConfigError, () => loadConfig(env));

describe('configuration', () => {
  it('defaults are safe: no token → loopback only; tokens → every interface', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', port: 9470, tokens: {}, allowUnauthenticated: false });
    expect(loadConfig({ TOKENMETER_ADMIN_TOKEN: 'admin-secret' }).host).toBe('0.0.0.0');
    expect(loadConfig({ TOKENMETER_ALLOW_UNAUTHENTICATED: 'true' }).host).toBe('0.0.0.0');
    expect(loadConfig({ TOKENMETER_CONTROL_PLANE_HOST: '::1' }).host).toBe('::1');
  });

  it('a non-loopback address without tokens is refused unless explicitly allowed', () => {
    expect(problems({ TOKENMETER_CONTROL_PLANE_HOST: '0.0.0.0' })).toEqual([{
      variable: 'TOKENMETER_CONTROL_PLANE_HOST',
      message: '"0.0.0.0" is not a loopback address and no TOKENMETER_*_TOKEN is set: set tokens (TOKENMETER_ADMIN_TOKEN, …), listen on 127.0.0.1, or set TOKENMETER_ALLOW_UNAUTHENTICATED=true',
    }]);
    expect(loadConfig({ TOKENMETER_CONTROL_PLANE_HOST: '0.0.0.0', TOKENMETER_ALLOW_UNAUTHENTICATED: 'true' }).host).toBe('0.0.0.0');
  });

  it('renamed variables are refused with their new name, never silently ignored', () => {
    expect(problems({ TOKENMETER_PORT: '8080', TOKENMETER_HOST: '127.0.0.1' })).toEqual([
      { variable: 'TOKENMETER_HOST', message: 'was renamed: use TOKENMETER_CONTROL_PLANE_HOST' },
      { variable: 'TOKENMETER_PORT', message: 'was renamed: use TOKENMETER_CONTROL_PLANE_PORT' },
    ]);
  });

  it('the same token for two roles is refused, naming both variables', () => {
    expect(problems({ TOKENMETER_ADMIN_TOKEN: 'same-token', TOKENMETER_READ_TOKEN: 'same-token' })).toEqual([
      { variable: 'TOKENMETER_READ_TOKEN', message: 'is the same token as TOKENMETER_ADMIN_TOKEN: give every role its own token' },
    ]);
  });

  it('numbers parse strictly, and every bad variable is reported at once', () => {
    const found = problems({
      TOKENMETER_CONTROL_PLANE_PORT: '0x1F90', TOKENMETER_BODY_LIMIT_BYTES: ' 1e3 ', TOKENMETER_SSE_COALESCE_MS: '-1',
      TOKENMETER_LOG_LEVEL: 'loud', TOKENMETER_SQLITE_SYNCHRONOUS: 'off', TOKENMETER_DB_URL: 'mysql://db/x', TOKENMETER_ADMIN_TOKEN: 'short',
      TOKENMETER_ALLOW_UNAUTHENTICATED: 'yes', TOKENMETER_MAX_BATCH_RECORDS: '0',
    });
    expect(found.map((p) => p.variable).sort()).toEqual([
      'TOKENMETER_ADMIN_TOKEN', 'TOKENMETER_ALLOW_UNAUTHENTICATED', 'TOKENMETER_BODY_LIMIT_BYTES', 'TOKENMETER_CONTROL_PLANE_PORT', 'TOKENMETER_DB_URL',
      'TOKENMETER_LOG_LEVEL', 'TOKENMETER_MAX_BATCH_RECORDS', 'TOKENMETER_SQLITE_SYNCHRONOUS', 'TOKENMETER_SSE_COALESCE_MS',
    ]);
    expect(found.find((p) => p.variable === 'TOKENMETER_CONTROL_PLANE_PORT')?.message).toBe('must be a whole number from 0 to 65535 in plain digits (got "0x1F90")');
    expect(found.find((p) => p.variable === 'TOKENMETER_DB_URL')?.message).toBe('scheme "mysql:" is not supported: use postgres://… or a SQLite file path (file:…) (got "mysql://db/x")');
    expect(loadConfig({ TOKENMETER_CONTROL_PLANE_PORT: '8080' }).port).toBe(8080);
  });
});
