import { existsSync, readdirSync } from 'node:fs';

/** Path of a Debian-installed binary, or a clear error naming the package to install. */
export function findBinary(names: string[], debianPackage: string, extraDirs: string[] = []): string {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = `${dir}/${name}`;
      if (dir !== '' && existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${names.join(' or ')} not found: install the Debian package '${debianPackage}' (.ci/run does)`);
}

/** Directory of the newest installed PostgreSQL server binaries. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(`${root}/${v}/bin/postgres`)).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new Error("PostgreSQL server not found: install the Debian package 'postgresql'");
  return `${root}/${versions[0]}/bin`;
}
