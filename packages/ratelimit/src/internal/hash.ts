import { createHash, createHmac } from 'node:crypto';

const RAW_SAFE = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;

/**
 * The identifier part of a Redis key, used as its hash tag. Hashed by default:
 * SHA-256 (HMAC-SHA-256 with a secret), base64url, 22 characters (132 bits). A raw
 * identifier is kept only when hashing is off and it is short and made of safe
 * characters; anything else (braces, spaces, control characters) is hashed anyway.
 */
export function identifierTag(identifier: string, hash: boolean, secret: string | undefined): string {
  if (!hash && RAW_SAFE.test(identifier)) return identifier;
  const digest = secret ? createHmac('sha256', secret) : createHash('sha256');
  return digest.update(identifier).digest('base64url').slice(0, 22);
}
