import { describe, expect, it } from 'vitest';
import { RedisScriptError } from '../errors.js';
import { ScriptRegistry } from './registry.js';
import { RedisScript } from './script.js';

describe('RedisScript', () => {
  it('computes the SHA1 Redis uses', () => {
    // sha1("return 1"), as SCRIPT LOAD answers.
    expect(new RedisScript({ name: 'one', lua: 'return 1', keys: 0 }).sha).toBe(
      'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
    );
  });

  it('rejects a wrong number of keys before calling Redis', async () => {
    const script = new RedisScript({ name: 'two', lua: 'return 1', keys: 2 });
    await expect(script.run(undefined as never, ['a'], [])).rejects.toThrow(
      'script "two" takes 2 keys (got 1)',
    );
  });
});

describe('ScriptRegistry', () => {
  it('defines once, returns the same script for the same body, refuses a different body', () => {
    const registry = new ScriptRegistry();
    const script = registry.define({ name: 'a', lua: 'return 1', keys: 0 });
    expect(registry.define({ name: 'a', lua: 'return 1', keys: 0 })).toBe(script);
    expect(() => registry.define({ name: 'a', lua: 'return 2', keys: 0 })).toThrow(RedisScriptError);
    expect(registry.get('a')).toBe(script);
    expect(() => registry.get('missing')).toThrow(expect.objectContaining({ code: 'REDIS_SCRIPT_UNKNOWN' }));
  });
});
