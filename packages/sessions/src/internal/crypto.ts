import { createHash, createHmac, randomBytes } from 'node:crypto';

/** `bytes` of CSPRNG output as base64url (32 bytes -> 43 characters, 256 bits). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** HMAC-SHA256 of `message` keyed by `key`, base64url. */
export function hmacBase64Url(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

/** Length of base64url text for `bytes` bytes without padding. */
export function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}
