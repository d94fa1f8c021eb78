import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { classifyRedisError } from './error-type.js';

function reply(message: string): Error {
  return new ReplyError(message) as Error;
}

describe('classifyRedisError', () => {
  it('uses the Redis error prefix of reply errors', () => {
    expect(
      classifyRedisError(reply('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe('WRONGTYPE');
    expect(classifyRedisError(reply('NOSCRIPT No matching script. Please use EVAL.'))).toBe('NOSCRIPT');
    expect(classifyRedisError(reply("ERR unknown command 'foo'"))).toBe('ERR');
    expect(classifyRedisError(reply('READONLY You cannot write against a read only replica.'))).toBe(
      'READONLY',
    );
    expect(classifyRedisError(reply('ERR timeout is not an integer or out of range'))).toBe('ERR');
  });

  it('bounds unknown prefixes (a Lua script can invent any) to other', () => {
    expect(classifyRedisError(reply('MYAPPERR something'))).toBe('other');
  });

  it('classifies timeouts and connection problems', () => {
    expect(classifyRedisError(new Error('Command timed out'))).toBe('timeout');
    expect(classifyRedisError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe(
      'timeout',
    );
    expect(
      classifyRedisError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe('connection');
    expect(classifyRedisError(new Error('Connection is closed.'))).toBe('connection');
    expect(
      classifyRedisError(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe('connection');
  });

  it('falls back to other', () => {
    expect(classifyRedisError(new Error('boom'))).toBe('other');
    expect(classifyRedisError('not an error')).toBe('other');
  });
});
