/**
 * The blocks as the feed carries them. A department or org block lists the
 * users the directory places there (`members`), so the SDK also refuses a
 * call that carries only its user, as the ledger counts that call towards
 * the department (it enriches from the directory). One directory pass per
 * refresh, however many such blocks.
 */
import type { EnforcementBlock } from '@tokenmeter/instrumentation/protocol';
import type { DirectoryEntry } from '../directory/directory.js';
import { wireBlock, type StoredBlock } from './blocks.js';

export function wireBlocks(stored: readonly StoredBlock[], directory: Iterable<Readonly<DirectoryEntry>>): EnforcementBlock[] {
  const blocks = stored.map(wireBlock);
  const members = new Map<string, string[]>();
  for (const b of blocks) if ((b.scope === 'department' || b.scope === 'org') && b.subject !== '*') members.set(`${b.scope}\0${b.subject}`, []);
  if (members.size === 0) return blocks;
  for (const entry of directory) {
    if (entry.department !== undefined) members.get(`department\0${entry.department}`)?.push(entry.user);
    if (entry.org !== undefined) members.get(`org\0${entry.org}`)?.push(entry.user);
  }
  return blocks.map((b) => {
    const users = members.get(`${b.scope}\0${b.subject}`);
    return users === undefined || users.length === 0 ? b : { ...b, members: users.sort() };
  });
}
