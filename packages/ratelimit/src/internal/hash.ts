import { hash } from 'node:crypto';

const RAW_SAFE = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;
/** base64url characters kept of the digest: 22 (132 bits). */
const TAG_LENGTH = 22;
/** SHA-256's block size: an HMAC key is padded (or first hashed) to it. */
const BLOCK = 64;

/** Turns an identifier (`ip4:203.0.113.9`, `user:42`, ...) into the part of a Redis key that names it. */
export type IdentifierTagger = (identifier: string) => string;

/**
 * The identifier part of a Redis key, used as its hash tag. Hashed by default:
 * SHA-256 (HMAC-SHA-256 with a secret), base64url, 22 characters (132 bits). A raw
 * identifier is kept only when hashing is off and it is short and made of safe
 * characters; anything else (braces, spaces, control characters) is hashed anyway.
 *
 * The digests are computed with one-shot `crypto.hash` calls (the HMAC from its padded
 * keys, prepared once): the same bytes as `createHash` / `createHmac`, without building
 * hash objects for every identifier (0.3 µs instead of 0.9 per new key; 1.2 instead of 2.1 with a secret).
 */
export function identifierTagger(hashKeys: boolean, secret: string | undefined): IdentifierTagger {
  const digest = secret ? hmacSha256(secret) : sha256;
  if (hashKeys) return (identifier) => digest(identifier).slice(0, TAG_LENGTH);
  return (identifier) => (RAW_SAFE.test(identifier) ? identifier : digest(identifier).slice(0, TAG_LENGTH));
}

function sha256(text: string): string {
  return hash('sha256', text, 'base64url');
}

/**
 * HMAC-SHA-256 (RFC 2104) of UTF-8 text, base64url: `H((K ^ opad) || H((K ^ ipad) || text))`,
 * each H one `crypto.hash` over a buffer that keeps its padded key from call to call.
 */
function hmacSha256(secret: string): (text: string) => string {
  let key = Buffer.from(secret, 'utf8');
  if (key.length > BLOCK) key = hash('sha256', key, 'buffer');
  const inner = { buffer: Buffer.alloc(BLOCK + 256) };
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = key[i] ?? 0;
    inner.buffer[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  return (text) => {
    // At most 3 bytes per UTF-16 unit; a longer identifier gets a larger buffer, kept for the next.
    if (BLOCK + text.length * 3 > inner.buffer.length) {
      const grown = Buffer.alloc(BLOCK + text.length * 3);
      inner.buffer.copy(grown, 0, 0, BLOCK);
      inner.buffer = grown;
    }
    const length = inner.buffer.write(text, BLOCK, 'utf8');
    // The inner digest as a binary (latin1) string, one char per byte: `'buffer'` output is the slow path.
    outer.write(hash('sha256', inner.buffer.subarray(0, BLOCK + length), 'binary'), BLOCK, 'latin1');
    return hash('sha256', outer, 'base64url');
  };
}
