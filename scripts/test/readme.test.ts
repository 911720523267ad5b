// The README's demo instructions name what the launcher really uses: every
// port with the variable that moves it, and every dashboard file to import.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PORT_SETTINGS } from '../demo/ports.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('lists each demo port with the variable that moves it', () => {
    for (const { default: port, variable } of PORT_SETTINGS) {
      expect(readme).toMatch(new RegExp(`^\\| ${port} \\| [^|]+ \\| \`${variable}\` \\|$`, 'm'));
    }
  });

  it('names every dashboard file to import into an existing Grafana', () => {
    const files = readdirSync(join(root, 'dashboards', 'grafana', 'dashboards')).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readme, file).toContain(`\`${file}\``);
  });

  it('has the architecture as a Mermaid diagram', () => {
    expect(readme).toMatch(/^```mermaid\nflowchart /m);
  });
});
