// Password hashing with scrypt from node:crypto. The stored string carries its parameters
// (`scrypt$N$r$p$salt$hash`), so they can be raised later and old hashes still verify.
// Length limits belong to the request schema; this module hashes whatever it is given.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 64;

// Bounds for parameters read back from storage: a tampered hash must not make us allocate gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 512 * 1024 * 1024;

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(plain, salt, KEY_BYTES, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `plain` matches `stored`. An unreadable or tampered `stored` is a mismatch, not an exception. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(plain, parsed.salt, parsed.key.length, parsed.params).catch(() => undefined);
  return key !== undefined && timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash uses weaker parameters than today's, so it should be rehashed at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return (
    !parsed ||
    parsed.params.N < N ||
    parsed.params.r < R ||
    parsed.params.p < P ||
    parsed.key.length < KEY_BYTES
  );
}

interface ParsedHash {
  params: { N: number; r: number; p: number };
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

function derive(
  plain: string,
  salt: Buffer,
  length: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; Node's default cap (32 MiB) is just short of that for N=2^15, r=8.
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
