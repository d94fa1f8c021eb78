import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates, startRedisServer, type RedisServerHandle } from '../src/index.js';

describe('startRedisServer with tls', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer({ tls: { authClients: 'yes' } });
  });
  afterAll(() => server.destroy());

  it('serves TLS only, on its port, to a client that trusts its CA and presents the client certificate', async () => {
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
    const { client } = server.tls!;
    const redis = new Redis({
      port: server.port,
      lazyConnect: true,
      tls: { ca: client.ca, cert: client.cert, key: client.key },
    });
    try {
      await redis.connect();
      expect(await redis.config('GET', 'port')).toEqual(['port', '0']);
      expect(await redis.config('GET', 'tls-port')).toEqual(['tls-port', String(server.port)]);
      expect(await redis.config('GET', 'tls-auth-clients')).toEqual(['tls-auth-clients', 'yes']);
    } finally {
      redis.disconnect();
    }
  });
});

describe('createTestCertificates', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const make = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnh-certs-'));
    dirs.push(dir);
    return createTestCertificates(dir);
  };

  it('signs a server certificate for 127.0.0.1 and localhost, and a client certificate, with a new CA each time', () => {
    const first = make();
    const other = make();
    const ca = new X509Certificate(first.server.ca);
    const server = new X509Certificate(first.server.cert);
    expect(server.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(first.client.cert).verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(other.server.cert).verify(ca.publicKey)).toBe(false);
  });
});
