import { describe, expect, it } from 'vitest';
import { roleProfile } from './profiles.js';

describe('roleProfile', () => {
  it('gives each role its profile', () => {
    expect(roleProfile('commands', { maxRetriesPerRequest: 3 })).toEqual({
      enableAutoPipelining: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 3,
    });
    expect(roleProfile('subscriber', { maxRetriesPerRequest: 3 })).toEqual({
      enableAutoPipelining: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 3,
    });
    expect(roleProfile('producer', { maxRetriesPerRequest: 3 })).toEqual({
      enableAutoPipelining: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    expect(roleProfile('producer', { maxRetriesPerRequest: 0 }).maxRetriesPerRequest).toBe(0);
    expect(roleProfile('worker', { maxRetriesPerRequest: 3 })).toEqual({
      enableAutoPipelining: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
  });
});
