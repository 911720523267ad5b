/** The user directory: user → department and org, used to enrich records at ingest and to list the members of blocked departments and orgs. */
import type { AuditLog } from '../audit.js';
import { EntityFamily } from '../entities/entity-family.js';
import type { Store } from '../store/types.js';

export interface DirectoryEntry {
  user: string;
  department?: string;
  org?: string;
  updated_at: string;
}

export class Directory extends EntityFamily<DirectoryEntry> {
  constructor(store: Store, audit: AuditLog) {
    super('directory', store, audit);
  }
}
