import { describe, expect, it } from 'vitest';
import { QueueArgumentError, QueueSealingError } from '../errors.js';
import { SEALED_PREFIX, Sealer } from './sealer.js';

const sealer = new Sealer('a-sealing-key-of-at-least-32-characters');

describe('Sealer', () => {
  it('opens what it sealed, with a fresh IV each time', () => {
    const value = { link: 'https://app.example.com/reset-password?token=abc' };
    const first = sealer.seal(value, 'where');
    const second = sealer.seal(value, 'where');
    expect(first.startsWith(SEALED_PREFIX)).toBe(true);
    expect(first).not.toBe(second);
    expect(first).not.toContain('token=abc');
    expect(sealer.open(first, 'where')).toEqual(value);
    expect(sealer.open(second, 'where')).toEqual(value);
  });

  it('refuses another place, another key, an altered or unsealed value', () => {
    const sealed = sealer.seal('secret', 'queue/job/link');
    expect(() => sealer.open(sealed, 'queue/job/other')).toThrow(QueueSealingError);
    expect(() => new Sealer('another-key-that-is-32-characters-long').open(sealed, 'queue/job/link')).toThrow(
      QueueSealingError,
    );
    const body = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    body[body.length - 1]! ^= 1;
    expect(() => sealer.open(SEALED_PREFIX + body.toString('base64url'), 'queue/job/link')).toThrow(
      QueueSealingError,
    );
    expect(() => sealer.open('secret', 'queue/job/link')).toThrow(/not sealed/);
    expect(() => sealer.open(`${SEALED_PREFIX}AAAA`, 'queue/job/link')).toThrow(/truncated/);
  });

  it('gives each purpose a key of its own: a value sealed for one opens for no other, nor for the queues', () => {
    const secret = 'a-sealing-key-of-at-least-32-characters';
    const outbox = new Sealer(secret, { purpose: 'outbox' });
    const sealed = outbox.seal('https://app.example.com/invites/accept?token=abc', 'where');
    expect(new Sealer(secret, { purpose: 'outbox' }).open(sealed, 'where')).toBe(
      'https://app.example.com/invites/accept?token=abc',
    );
    expect(() => new Sealer(secret, { purpose: 'exports' }).open(sealed, 'where')).toThrow(QueueSealingError);
    expect(() => new Sealer(secret).open(sealed, 'where')).toThrow(QueueSealingError);
    expect(() => outbox.open(new Sealer(secret).seal('x', 'where'), 'where')).toThrow(QueueSealingError);
  });

  it('needs a key of at least 32 characters, and a purpose that names something', () => {
    expect(() => new Sealer('short')).toThrow(QueueArgumentError);
    expect(() => new Sealer('a-sealing-key-of-at-least-32-characters', { purpose: '' })).toThrow(
      QueueArgumentError,
    );
  });
});
