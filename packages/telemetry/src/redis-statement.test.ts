import { describe, expect, it } from 'vitest';
import { redactKey, redisStatementSerializer } from './redis-statement.js';

describe('redisStatementSerializer', () => {
  it('keeps the command and the constant words of the first key', () => {
    expect(redisStatementSerializer('SET', ['rnh:sess:abc123', '{"userId":42}'])).toBe('set rnh:sess:?');
    expect(redisStatementSerializer('get', ['rnh:cache:users:profile:42'])).toBe(
      'get rnh:cache:users:profile:?',
    );
    expect(redisStatementSerializer('hgetall', ['rnh:queue:email:jobs'])).toBe('hgetall rnh:queue:email:?');
  });

  it('never shows values, whatever they are', () => {
    const secretJson = JSON.stringify({ password: 'hunter2', email: 'ada@example.com' });
    const statement = redisStatementSerializer('set', ['rnh:cache:users:profile:42', secretJson, 'EX', 300]);
    expect(statement).toBe('set rnh:cache:users:profile:?');
    expect(statement).not.toContain('hunter2');
    expect(redisStatementSerializer('publish', ['rnh:bus:invalidate', 'tag:users:42'])).toBe(
      'publish rnh:bus:?',
    );
    expect(redisStatementSerializer('zadd', ['rnh:rl:login', 1700000000, 'member-abc'])).toBe(
      'zadd rnh:rl:?',
    );
  });

  it('replaces id-like segments anywhere in the key', () => {
    const sessionId = 'Zk3x_9QwErTyUiOpAsDfGh';
    const uuid = '6f1c2b9e-4f0a-4c39-9d55-0b1d2a3c4e5f';
    expect(redisStatementSerializer('get', [`rnh:sess:${sessionId}:data`])).toBe('get rnh:sess:?:?');
    expect(redisStatementSerializer('get', [`rnh:user:${uuid}:profile`])).toBe('get rnh:user:?:?');
    expect(redisStatementSerializer('get', ['rnh:token:deadbeefcafe0042:meta'])).toBe('get rnh:token:?:?');
    expect(redisStatementSerializer('get', ['rnh:token:deadbeefcafe:meta'])).toBe('get rnh:token:?:?');
    expect(redisStatementSerializer('get', ['rnh:user:ada@example.com:profile'])).toBe('get rnh:user:?:?');
    expect(redisStatementSerializer('get', ['rnh:users:42:sessions'])).toBe('get rnh:users:?:?');
    expect(redisStatementSerializer('get', ['test:cache:5f2a9c1e:k'])).toBe('get test:cache:?:?');
  });

  it('keeps hash tags visible but redacted', () => {
    expect(redisStatementSerializer('evalsha', ['0123abcd', 2, 'rnh:rl:{ip:10.0.0.1}:login', 'x'])).toBe(
      'evalsha rnh:rl:{ip:?}:?',
    );
    expect(redactKey('rnh:sess:{user:42}:index')).toBe('rnh:sess:{user:?}:?');
  });

  it('shows nothing of AUTH, HELLO and other credential-carrying commands', () => {
    expect(redisStatementSerializer('AUTH', ['app', 's3cret-password'])).toBe('auth');
    expect(redisStatementSerializer('hello', [3, 'AUTH', 'app', 's3cret-password'])).toBe('hello');
    expect(redisStatementSerializer('migrate', ['h', 6379, 'k', 0, 100, 'AUTH', 'pw'])).toBe('migrate');
    expect(redisStatementSerializer('acl', ['SETUSER', 'app', 'on', '>s3cret'])).toBe('acl setuser');
    expect(redisStatementSerializer('config', ['SET', 'requirepass', 's3cret'])).toBe('config set');
    expect(redisStatementSerializer('echo', ['anything'])).toBe('echo');
  });

  it('handles commands without keys and odd arguments', () => {
    expect(redisStatementSerializer('multi', [])).toBe('multi');
    expect(redisStatementSerializer('info', ['memory'])).toBe('info memory');
    expect(redisStatementSerializer('script', ['LOAD', 'return redis.call("get", KEYS[1])'])).toBe(
      'script load',
    );
    expect(redisStatementSerializer('eval', ['return 1', 0])).toBe('eval');
    expect(redisStatementSerializer('get', [Buffer.from('rnh:binary:key')])).toBe('get ?');
    expect(redisStatementSerializer('get', [''])).toBe('get ?');
    expect(redisStatementSerializer('get', ['plainkey'])).toBe('get ?');
    expect(redisStatementSerializer('get', ['rnh:cache:'])).toBe('get rnh:cache:?');
    expect(redisStatementSerializer('get', ['a:b:c:d:e:f:g:h:i:j'])).toBe('get a:b:c:d:e:f:g:h:…');
    expect(redisStatementSerializer('get', ['rnh:Cache:SomeThing:x'])).toBe('get rnh:?:?:?');
    expect(redisStatementSerializer('get', ['rnh:cache:{"json":"value"}:x'])).toBe('get rnh:cache:{?:?}:?');
  });
});
