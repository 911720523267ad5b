/** The user directory: user → department and org, used to enrich records at ingest and to list the members of blocked departments and orgs. */
import { createHash } from 'node:crypto';
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
  private _etag: string | undefined;

  constructor(store: Store, audit: AuditLog) {
    super('directory', store, audit);
    this.onCacheChange(() => {
      this._etag = undefined;
    });
  }

  /** A hash of the whole list: equal contents, equal ETag, on every replica. Computed once per change. */
  etag(): string {
    return (this._etag ??= `"${createHash('sha256').update(JSON.stringify(this.list())).digest('base64url').slice(0, 22)}"`);
  }
}
