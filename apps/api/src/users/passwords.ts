// Password hashing with scrypt from node:crypto. The stored string carries its parameters
// (`scrypt$N$r$p$salt$hash`), so the cost can be raised and old hashes still verify; a sign-in
// with an older, cheaper hash rehashes it (needsRehash).
// Length limits belong to the request schema; this module hashes whatever it is given.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * log2 of scrypt's N. OWASP's minimum for scrypt is N=2^17, r=8, p=1: about 128 MiB and a few
 * hundred milliseconds per hash. Tests and development may go lower (PASSWORD_HASH_COST).
 */
export const DEFAULT_HASH_COST = 17;
export const MIN_HASH_COST = 10;
export const MAX_HASH_COST = 20;

const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 64;

// Bounds for parameters read back from storage: a tampered hash must not make us allocate gigabytes.
const MAX_N = 2 ** MAX_HASH_COST;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 512 * 1024 * 1024;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export class PasswordHasher {
  private readonly params: ScryptParams;
  private dummyHash: Promise<string> | undefined;

  constructor(options: { cost?: number } = {}) {
    const cost = options.cost ?? DEFAULT_HASH_COST;
    if (!Number.isInteger(cost) || cost < MIN_HASH_COST || cost > MAX_HASH_COST)
      throw new RangeError(
        `password hash cost must be a whole number from ${MIN_HASH_COST} to ${MAX_HASH_COST}`,
      );
    this.params = { N: 2 ** cost, r: R, p: P };
  }

  async hash(plain: string): Promise<string> {
    const { N, r, p } = this.params;
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(plain, salt, KEY_BYTES, this.params);
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /**
   * Whether `plain` matches `stored`. An unreadable or tampered `stored` is a mismatch, not an
   * exception. Without `stored` (no such account) one hash is still computed, so the answer
   * takes as long and does not tell whether the account exists.
   */
  async verify(plain: string, stored: string | undefined): Promise<boolean> {
    if (stored === undefined) {
      await this.verify(plain, await (this.dummyHash ??= this.hash('timing-equaliser-password')));
      return false;
    }
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await derive(plain, parsed.salt, parsed.key.length, parsed.params).catch(() => undefined);
    return key !== undefined && timingSafeEqual(key, parsed.key);
  }

  /** Whether a stored hash uses weaker parameters than today's, so it should be rehashed at the next sign-in. */
  needsRehash(stored: string): boolean {
    const parsed = parse(stored);
    return (
      !parsed ||
      parsed.params.N < this.params.N ||
      parsed.params.r < this.params.r ||
      parsed.params.p < this.params.p ||
      parsed.key.length < KEY_BYTES
    );
  }
}

/** Whether two typed passwords are the same password (as the hash compares them). */
export function samePassword(a: string, b: string): boolean {
  return a.normalize('NFKC') === b.normalize('NFKC');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : NaN)) as [
    number,
    number,
    number,
  ];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  const powerOfTwo = n > 1 && (n & (n - 1)) === 0;
  if (!powerOfTwo || n > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined;
  if (salt.length < 8 || key.length < 16 || key.length > 128) return undefined;
  return { params: { N: n, r, p }, salt, key };
}

function derive(plain: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes (128 MiB at N=2^17, r=8); Node's default cap is 32 MiB.
  // Twice that leaves room for the rest of scrypt's state.
  const options: ScryptOptions = {
    ...params,
    maxmem: Math.min(MAX_MEMORY, 256 * params.N * params.r * params.p),
  };
  // NFKC: the same password typed on another keyboard or OS may arrive as different code points.
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
