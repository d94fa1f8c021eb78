import { keyspace, type Keyspace } from '@rnh/redis-client';
import { describe, expect, it } from 'vitest';
import { fixedWindow } from '../algorithms/fixed-window.js';
import { gcra } from '../algorithms/gcra.js';
import { slidingWindow } from '../algorithms/sliding-window.js';
import { keyNames } from './key-names.js';
import { namePolicies } from './policies.js';

describe('keyNames', () => {
  const policies = namePolicies('api', [
    slidingWindow({ name: 'minute', limit: 10, windowMs: 60_000 }),
    gcra({ name: 'burst', limit: 5, windowMs: 1000 }),
  ]);

  it("builds the keyspace's own key names, every policy's keys in order", () => {
    const keys = keyspace('rnh:', 'ratelimit');
    expect(keyNames(keys, 'api', policies)('Ab_9-x')).toEqual([
      keys.key('api', keys.hashTag('Ab_9-x'), 'minute', 'sw'),
      keys.key('api', keys.hashTag('Ab_9-x'), 'burst', 'gc'),
    ]);
    expect(keyNames(keys, 'api', policies)('t')[1]).toBe('rnh:ratelimit:api:{t}:burst:gc');
    const single = namePolicies('login', fixedWindow({ limit: 5, windowMs: 60_000 }));
    expect(keyNames(keys, 'login', single)('t')).toEqual(['rnh:ratelimit:login:{t}:login:fw']);
  });

  it('asks a keyspace of its own for every key when its keys do not carry the tag as given', () => {
    const base = keyspace('app:');
    const upper: Keyspace = {
      ...base,
      key: (...parts) => base.key(...parts).toUpperCase(),
    };
    expect(keyNames(upper, 'api', policies)('tag')).toEqual([
      'APP:API:{TAG}:MINUTE:SW',
      'APP:API:{TAG}:BURST:GC',
    ]);
  });
});
