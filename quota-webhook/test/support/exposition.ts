/** A strict parser of the Prometheus text exposition format (0.0.4): every line must parse, or it throws naming the line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  help: Map<string, string>;
  type: Map<string, string>;
  /** Samples of `name` whose labels include every pair of `match`. */
  find(name: string, match?: Record<string, string>): Sample[];
  /** The one sample of `name` matching `match` (throws when there is not exactly one). */
  one(name: string, match?: Record<string, string>): Sample;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(s: string, line: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad sample value "${s}" in line: ${line}`);
  return Number(s);
}

function parseLabels(src: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    while (src[i] === ' ') i++;
    if (src[i] === '}') return { labels, rest: src.slice(i + 1) };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i));
    if (!m) throw new Error(`bad label name in line: ${line}`);
    const name = m[0];
    i += name.length;
    if (src[i] !== '=' || src[i + 1] !== '"') throw new Error(`expected =" after label ${name} in line: ${line}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = src[i];
      if (c === undefined) throw new Error(`unterminated label value in line: ${line}`);
      if (c === '\\') {
        const n = src[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new Error(`bad escape \\${n} in line: ${line}`);
        i += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      i++;
    }
    i++;
    if (name in labels) throw new Error(`duplicate label ${name} in line: ${line}`);
    labels[name] = value;
    if (src[i] === ',') i++;
  }
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (m) {
        if (m[1] === 'HELP') help.set(m[2]!, m[3]!);
        else {
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`bad TYPE in line: ${line}`);
          type.set(m[2]!, m[3]!);
        }
      }
      continue;
    }
    const nm = NAME.exec(line);
    if (!nm) throw new Error(`bad metric name in line: ${line}`);
    let rest = line.slice(nm[0].length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`bad sample in line: ${line}`);
    samples.push({ name: nm[0], labels, value: parseValue(parts[0]!, line) });
  }
  const find = (name: string, match: Record<string, string> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  return {
    samples, help, type, find,
    one(name, match = {}) {
      const found = find(name, match);
      if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(match)}, found ${found.length}`);
      return found[0]!;
    },
  };
}
