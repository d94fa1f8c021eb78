import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, booleanFlag, logLevel, milliseconds, parseEnv, port, seconds } from '../src/index.js';

const schema = z.object({
  APP_PORT: port('APP_PORT', 3000),
  APP_TIMEOUT_MS: milliseconds('APP_TIMEOUT_MS', 500),
  APP_PRETTY: booleanFlag('APP_PRETTY', false),
  LOG_LEVEL: logLevel(),
});

describe('parseEnv', () => {
  it('applies defaults when nothing is set', () => {
    expect(parseEnv(schema, {})).toEqual({
      APP_PORT: 3000,
      APP_TIMEOUT_MS: 500,
      APP_PRETTY: false,
      LOG_LEVEL: 'info',
    });
  });

  it('coerces strings from the environment', () => {
    const config = parseEnv(schema, {
      APP_PORT: '8080',
      APP_TIMEOUT_MS: '20',
      APP_PRETTY: 'yes',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({ APP_PORT: 8080, APP_TIMEOUT_MS: 20, APP_PRETTY: true, LOG_LEVEL: 'debug' });
  });

  it('names every bad variable with the value it got, in one error', () => {
    let error: unknown;
    try {
      parseEnv(schema, { APP_PORT: 'http', APP_TIMEOUT_MS: '-1', APP_PRETTY: 'maybe', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'APP_PORT must be a port number 1-65535 (got "http")',
      'APP_TIMEOUT_MS must be a whole number of milliseconds (got "-1")',
      'APP_PRETTY must be true or false (got "maybe")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('rejects a port out of range', () => {
    expect(() => parseEnv(schema, { APP_PORT: '70000' })).toThrow(
      'APP_PORT must be a port number 1-65535 (got "70000")',
    );
  });

  it('adds the problems of extra parsers to the same error', () => {
    const extra = {
      redis: (env: Record<string, string | undefined>) => {
        if (env.REDIS_PORT === 'x') throw new Error('REDIS_PORT must be a port number 1-65535 (got "x")');
        return { port: 6379 };
      },
    };
    expect(parseEnv(schema, {}, extra).redis).toEqual({ port: 6379 });
    expect(() => parseEnv(schema, { APP_PORT: '0', REDIS_PORT: 'x' }, extra)).toThrow(
      /APP_PORT must be a port number 1-65535 \(got "0"\)\n {2}- REDIS_PORT must be a port number/,
    );
  });
});

describe('seconds', () => {
  const ttl = z.object({ TTL: seconds('TTL', 60) });
  it('defaults and coerces', () => {
    expect(parseEnv(ttl, {})).toEqual({ TTL: 60 });
    expect(parseEnv(ttl, { TTL: '5' })).toEqual({ TTL: 5 });
  });
  it('rejects fractions and zero with the variable named', () => {
    expect(() => parseEnv(ttl, { TTL: '1.5' })).toThrow('TTL must be a whole number of seconds (got "1.5")');
    expect(() => parseEnv(ttl, { TTL: '0' })).toThrow('TTL must be a whole number of seconds (got "0")');
  });
});
