import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisConfigError } from '../errors.js';
import { redisOptionsFromEnv } from './from-env.js';

// Contents need only look like PEM here; the TLS integration test uses real certificates.
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHsecret\n-----END PRIVATE KEY-----\n';
const ENCRYPTED_KEY =
  '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFsecret\n-----END ENCRYPTED PRIVATE KEY-----\n';

const dir = mkdtempSync(join(tmpdir(), 'rnh-tls-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configError(env: Record<string, string>): RedisConfigError {
  try {
    redisOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof RedisConfigError) return error;
    throw error;
  }
  throw new Error('expected a RedisConfigError');
}

describe('TLS settings from the environment', () => {
  it('reads the CA, the client certificate and key, and the servername once TLS is on', () => {
    const options = redisOptionsFromEnv({
      REDIS_URL: 'rediss://redis.internal:6380',
      REDIS_TLS_CA_FILE: file('ca.pem', CERT),
      REDIS_TLS_CERT_FILE: file('client.pem', CERT),
      REDIS_TLS_KEY_FILE: file('client.key', KEY),
      REDIS_TLS_SERVERNAME: 'redis.example.com',
    });
    expect(options.tls).toEqual({ ca: CERT, cert: CERT, key: KEY, servername: 'redis.example.com' });
    expect(redisOptionsFromEnv({ REDIS_TLS: 'true' }).tls).toBe(true);
  });

  it.each([
    [
      { REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' },
      'REDIS_TLS_CA_FILE',
      'REDIS_TLS_CA_FILE must name a readable file ("/nonexistent/ca.pem": no such file)',
    ],
    [{ REDIS_TLS_CA_FILE: dir }, 'REDIS_TLS_CA_FILE', 'a directory, not a file'],
    [
      { REDIS_TLS_CA_FILE: 'key' },
      'REDIS_TLS_CA_FILE',
      'REDIS_TLS_CA_FILE must name a PEM file with a certificate',
    ],
    [
      { REDIS_TLS_CERT_FILE: 'cert' },
      'REDIS_TLS_KEY_FILE',
      'REDIS_TLS_KEY_FILE is required with REDIS_TLS_CERT_FILE',
    ],
    [
      { REDIS_TLS_KEY_FILE: 'key' },
      'REDIS_TLS_CERT_FILE',
      'REDIS_TLS_CERT_FILE is required with REDIS_TLS_KEY_FILE',
    ],
    [
      { REDIS_TLS_CERT_FILE: 'cert', REDIS_TLS_KEY_FILE: 'cert' },
      'REDIS_TLS_KEY_FILE',
      'must name a PEM file with a private key',
    ],
    [
      { REDIS_TLS_CERT_FILE: 'cert', REDIS_TLS_KEY_FILE: 'encrypted' },
      'REDIS_TLS_KEY_FILE',
      'names an encrypted key',
    ],
  ])('names the variable of a bad TLS setting: %o', (given, variable, text) => {
    const paths: Record<string, string> = {
      cert: file('cert.pem', CERT),
      key: file('key.pem', KEY),
      encrypted: file('encrypted.pem', ENCRYPTED_KEY),
    };
    const env = Object.fromEntries(
      Object.entries(given).map(([name, value]) => [name, paths[value] ?? value]),
    );
    const error = configError({ REDIS_URL: 'rediss://redis.internal', ...env });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(text);
    // A file's contents never reach a message, only its path.
    expect(error.message).not.toMatch(/secret|MIIB/);
  });

  it('refuses TLS settings while TLS is off, naming how to turn it on', () => {
    const error = configError({
      REDIS_URL: 'redis://redis.internal',
      REDIS_TLS_CA_FILE: file('ca-off.pem', CERT),
      REDIS_TLS_SERVERNAME: 'redis.example.com',
    });
    expect(error.variable).toBe('REDIS_TLS_CA_FILE');
    expect(error.message).toBe(
      'Invalid Redis configuration: REDIS_TLS_CA_FILE, REDIS_TLS_SERVERNAME are set but TLS is off: use a rediss:// REDIS_URL or REDIS_TLS=true',
    );
  });
});
