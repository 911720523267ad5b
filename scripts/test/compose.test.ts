// docker-compose.yml is checked offline (no Docker engine here): the file is
// valid for docker-compose, and every file it mounts or runs is in the tree.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Service {
  command?: string[];
  volumes?: Array<{ type: string; source: string; target: string }>;
}

describe('docker-compose.yml', () => {
  const binary = findBinary(['docker-compose'], 'docker-compose');
  const resolved = parse(execFileSync(binary, ['config'], { cwd: root, encoding: 'utf8' })) as { services: Record<string, Service> };

  it('is valid (docker-compose config -q)', () => {
    expect(() => execFileSync(binary, ['config', '-q'], { cwd: root, stdio: 'pipe' })).not.toThrow();
    expect(Object.keys(resolved.services).sort()).toEqual(['alertmanager', 'collector', 'control-plane', 'demo-service', 'grafana', 'mock-llm', 'prometheus']);
  });

  it('mounts files that exist and runs entry points the build produces', () => {
    for (const [name, service] of Object.entries(resolved.services)) {
      for (const volume of service.volumes ?? []) {
        if (volume.type === 'bind') expect(existsSync(volume.source), `${name}: ${volume.source}`).toBe(true);
      }
      const script = service.command?.findLast((arg) => /\.(m?js)$/.test(arg));
      if (script !== undefined) expect(existsSync(join(root, script)), `${name}: ${script} (run npm run build)`).toBe(true);
    }
  });
});
