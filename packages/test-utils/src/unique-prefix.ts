import { randomBytes } from 'node:crypto';

/** A key prefix no other test uses, e.g. `test:cache:5f2a9c1e:`. */
export function uniquePrefix(label = 't'): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}
