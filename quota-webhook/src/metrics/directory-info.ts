/**
 * `tokenmeter_directory_info{user_id, tokenmeter_department, tokenmeter_org} 1`:
 * one series per directory entry, so Prometheus rules can give the SDK's
 * series (which carry `user_id`) the department and org the ledger counts
 * them under (`* on (user_id) group_left (tokenmeter_department) …`).
 * A missing department or org is left out, never an empty label.
 */
import { PROM } from '@tokenmeter/instrumentation/semconv';
import type { DirectoryEntry } from '../directory/directory.js';
import { encodingOf, escapeLabel, FamilyWriter } from './exposition.js';

const HEAD = `${PROM.directoryInfo}{user_id="`;

/** The labels after the user's value, per entry object (entries are replaced on change, never mutated). */
const restCache = new WeakMap<Readonly<DirectoryEntry>, { rest: string; user: string; encoding: 'latin1' | 'utf8' }>();

function lineOf(e: Readonly<DirectoryEntry>): { rest: string; user: string; encoding: 'latin1' | 'utf8' } {
  let line = restCache.get(e);
  if (line === undefined) {
    let rest = '"';
    if (e.department !== undefined && e.department !== '') rest += `,tokenmeter_department="${escapeLabel(e.department)}"`;
    if (e.org !== undefined && e.org !== '') rest += `,tokenmeter_org="${escapeLabel(e.org)}"`;
    rest += '} ';
    const user = escapeLabel(e.user);
    line = { rest, user, encoding: encodingOf(user, rest) };
    restCache.set(e, line);
  }
  return line;
}

/** The directory as one info family. */
export function renderDirectoryInfo(entries: Iterable<Readonly<DirectoryEntry>>): FamilyWriter {
  const w = new FamilyWriter(PROM.directoryInfo, 'Directory entry of a user (always 1): the department and org the ledger counts the user\'s calls under when a call names none.');
  for (const e of entries) {
    const { rest, user, encoding } = lineOf(e);
    w.sample(HEAD, user, rest, '1', encoding);
  }
  return w;
}
