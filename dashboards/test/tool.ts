import { execFile } from 'node:child_process';
import { findBinary } from '@tokenmeter/testkit';

export interface ToolResult {
  code: number;
  output: string;
}

/** Runs a Debian-installed tool (promtool, amtool) and returns its exit code and combined output. */
export function runTool(name: 'promtool' | 'amtool', args: string[], cwd?: string): Promise<ToolResult> {
  const binary = findBinary([name], name === 'promtool' ? 'prometheus' : 'prometheus-alertmanager');
  return new Promise((resolve) => {
    execFile(binary, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
