/**
 * `Authorization: Bearer <token>` checking, as the OpenTelemetry Collector's
 * `bearertokenauth` extension does: any of the configured tokens is accepted
 * (several allow rotation without downtime). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, so the time taken says nothing about them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class BearerTokens {
  private readonly _digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this._digests = tokens.map(digest);
  }

  /** Whether any token is required. */
  get required(): boolean {
    return this._digests.length > 0;
  }

  /** True when no token is required or the header carries one of them (scheme case-insensitive). */
  allows(authorization: string | undefined): boolean {
    if (this._digests.length === 0) return true;
    const m = /^bearer +(\S+) *$/i.exec(authorization ?? '');
    if (!m) return false;
    const presented = digest(m[1] as string);
    let ok = false;
    for (const d of this._digests) ok = timingSafeEqual(d, presented) || ok; // no early exit
    return ok;
  }
}

/** The `WWW-Authenticate` challenge sent with 401 (RFC 6750). */
export const BEARER_CHALLENGE = 'Bearer realm="tokenmeter-collector"';
