/**
 * The fingerprint key: per installation, so a fingerprint cannot be matched
 * against the hash of a known text computed elsewhere. From
 * `TOKENMETER_FINGERPRINT_KEY` when set; else derived from the control-plane
 * token every service of an installation shares (`TOKENMETER_API_TOKEN`), so
 * its services' fingerprints agree; else random for this process (then
 * fingerprints only match within the process). Always through HKDF-SHA-256,
 * so the token itself is never the HMAC key.
 */
import { hkdfSync, randomBytes } from 'node:crypto';

/** Where the key came from. */
export type FingerprintKeySource = 'configured' | 'api_token' | 'random';

const SALT = 'tokenmeter prompt fingerprint';
const INFO = 'hmac-sha256 v1';

export function deriveFingerprintKey(options: { key?: string | undefined; apiToken?: string | undefined }): { key: Buffer; source: FingerprintKeySource } {
  const [secret, source]: [Buffer, FingerprintKeySource] =
    options.key !== undefined
      ? [Buffer.from(options.key, 'utf8'), 'configured']
      : options.apiToken !== undefined
        ? [Buffer.from(options.apiToken, 'utf8'), 'api_token']
        : [randomBytes(32), 'random'];
  return { key: Buffer.from(hkdfSync('sha256', secret, SALT, INFO, 32)), source };
}
