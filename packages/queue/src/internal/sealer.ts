import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { QueueArgumentError, QueueSealingError } from '../errors.js';
import type { SealerOptions } from '../types.js';

/** Marks a sealed value and its format: a new format gets a new version, and old values stay readable. */
export const SEALED_PREFIX = 'sealed:v1:';
export const MIN_SEALING_KEY_LENGTH = 32;

const IV_BYTES = 12;
const TAG_BYTES = 16;
// HKDF inputs: fixed, so every app given the same secret derives the same AES key. A purpose is
// appended to the info, so one secret gives each purpose a key of its own.
const HKDF_SALT = 'rnh/queue';
const HKDF_INFO = 'payload-sealing/v1';

/**
 * AES-256-GCM over one JSON value. The key is derived from the app's secret with
 * HKDF-SHA-256 (the secret itself is never used as a key). Each value gets a random
 * 96-bit IV; the additional data binds a sealed value to where it belongs (queue, job,
 * field), so it cannot be moved to another field or job and opened there.
 * Producers and workers seal secret payload fields with the default purpose; an app
 * sealing values of its own gives a `purpose`, and so a key no queue uses.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(secret: string, options: SealerOptions = {}) {
    if (typeof secret !== 'string' || secret.length < MIN_SEALING_KEY_LENGTH)
      throw new QueueArgumentError(`sealingKey must be at least ${MIN_SEALING_KEY_LENGTH} characters`);
    const { purpose } = options;
    if (purpose !== undefined && (typeof purpose !== 'string' || purpose === ''))
      throw new QueueArgumentError('a sealing purpose must be a non-empty string');
    const info = purpose === undefined ? HKDF_INFO : `${HKDF_INFO}/${purpose}`;
    this.key = Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, 32));
  }

  /** `sealed:v1:<base64url>`: opens only with the same secret, purpose and additional data. */
  seal(value: unknown, additionalData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(additionalData));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The value sealed with this key for this additional data; QueueSealingError otherwise (never the value). */
  open(sealed: unknown, additionalData: string): unknown {
    if (typeof sealed !== 'string' || !sealed.startsWith(SEALED_PREFIX))
      throw new QueueSealingError('the value is not sealed');
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new QueueSealingError('the sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(additionalData));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(text.toString('utf8')) as unknown;
    } catch (error) {
      throw new QueueSealingError('the sealed value does not open with this key (another key, or altered)', {
        cause: error,
      });
    }
  }
}
