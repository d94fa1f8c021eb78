// TLS against a real redis-server that serves TLS only, with certificates made for this run: the
// CA from REDIS_TLS_CA_FILE, a server signed by another CA refused, and mutual TLS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestCertificates,
  startRedisServer,
  uniquePrefix,
  type RedisServerHandle,
  type TestCertificates,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptionsFromEnv } from '../src/config/from-env.js';
import { closeRedis } from '../src/connection/close.js';
import { connectRedis } from '../src/connection/connect.js';
import { RedisConnections } from '../src/connection/connections.js';
import { createRedis } from '../src/connection/create-redis.js';
import { main as doctor } from '../src/doctor/cli.js';
import { RedisConnectionError } from '../src/errors.js';
import { memoryLogger } from './helpers.js';

let server: RedisServerHandle;
let otherCa: TestCertificates;
let otherCaDir: string;

beforeAll(async () => {
  server = await startRedisServer({ tls: true, password: 'tls-pw' });
  otherCaDir = mkdtempSync(join(tmpdir(), 'rnh-other-ca-'));
  otherCa = createTestCertificates(otherCaDir);
});
afterAll(async () => {
  await server?.destroy();
  if (otherCaDir) rmSync(otherCaDir, { recursive: true, force: true });
});

/** The environment an app would have, with a connect timeout a busy machine keeps. */
function envFor(target: RedisServerHandle, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: target.url,
    REDIS_PASSWORD: 'tls-pw',
    REDIS_KEY_PREFIX: uniquePrefix('tls'),
    REDIS_CONNECT_TIMEOUT: '10000',
    REDIS_RETRY_DELAY: '20',
    REDIS_MAX_RETRY_DELAY: '200',
    ...extra,
  };
}

/** Why connecting with these variables fails (or undefined), on a client that is closed afterwards. */
async function connectError(env: Record<string, string>): Promise<unknown> {
  const client = createRedis(redisOptionsFromEnv(env), 'commands');
  try {
    return await connectRedis(client, { timeoutMs: 15_000 }).then(
      () => undefined,
      (error: unknown) => error,
    );
  } finally {
    await closeRedis(client);
  }
}

describe('TLS', () => {
  it('connects over rediss:// with the CA of REDIS_TLS_CA_FILE: PING, SET and GET', async () => {
    const options = redisOptionsFromEnv(envFor(server, { REDIS_TLS_CA_FILE: server.tls!.server.caFile }));
    const connections = new RedisConnections({ options, logger: memoryLogger().logger });
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      expect(await redis.ping()).toBe('PONG');
      const key = connections.keys.key('greeting');
      await redis.set(key, 'hello over TLS');
      expect(await redis.get(key)).toBe('hello over TLS');
    } finally {
      await connections.close();
    }
  });

  it('refuses a server whose certificate another CA signed, saying which variable to set', async () => {
    const error = await connectError(envFor(server, { REDIS_TLS_CA_FILE: otherCa.server.caFile }));
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not connect to Redis at 127\\.0\\.0\\.1:${server.port} over TLS: the server's certificate is not signed by a CA this client trusts \\(.+\\): set REDIS_TLS_CA_FILE`,
      ),
    );
    // Without a CA of its own the client trusts only Node's built-in CAs, which did not sign it either.
    expect(await connectError(envFor(server))).toMatchObject({
      message: expect.stringContaining('not signed by a CA this client trusts'),
    });
  });

  it('checks the certificate against REDIS_TLS_SERVERNAME when given', async () => {
    const caFile = server.tls!.server.caFile;
    expect(
      await connectError(envFor(server, { REDIS_TLS_CA_FILE: caFile, REDIS_TLS_SERVERNAME: 'localhost' })),
    ).toBeUndefined();
    const error = await connectError(
      envFor(server, { REDIS_TLS_CA_FILE: caFile, REDIS_TLS_SERVERNAME: 'redis.example.com' }),
    );
    expect((error as Error).message).toContain(
      "the server's certificate is not issued for this host (Hostname/IP does not match certificate's altnames",
    );
    expect((error as Error).message).toContain('REDIS_TLS_SERVERNAME');
  });

  it('the doctor says the connection is TLS with the own CA', async () => {
    const lines: string[] = [];
    const code = await doctor(envFor(server, { REDIS_TLS_CA_FILE: server.tls!.server.caFile }), (line) =>
      lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Checking Redis at rediss:\/\/127\.0\.0\.1:\d+\/0 /);
    expect(lines.find((line) => line.startsWith('✓ connect'))).toMatch(/over TLS \(own CA\)$/);
  });
});

describe('mutual TLS (tls-auth-clients yes)', () => {
  let mutual: RedisServerHandle;
  beforeAll(async () => {
    mutual = await startRedisServer({ tls: { authClients: 'yes' }, password: 'tls-pw' });
  });
  afterAll(async () => {
    await mutual?.destroy();
  });

  it('lets in a client with a certificate of the CA, and logs neither the key nor the password', async () => {
    const { client } = mutual.tls!;
    const log = memoryLogger();
    const options = redisOptionsFromEnv(
      envFor(mutual, {
        REDIS_TLS_CA_FILE: client.caFile,
        REDIS_TLS_CERT_FILE: client.certFile,
        REDIS_TLS_KEY_FILE: client.keyFile,
      }),
    );
    const connections = new RedisConnections({ options, logger: log.logger });
    try {
      await connections.connect();
      expect(await connections.shared('commands').ping()).toBe('PONG');
    } finally {
      await connections.close();
    }
    expect(log.lines().some((line) => line.msg === 'redis ready')).toBe(true);
    expect(log.text()).not.toContain('PRIVATE KEY');
    expect(log.text()).not.toContain('tls-pw');
  });

  it('refuses a client without a certificate, saying which variables to set', async () => {
    // As below, an alert or a reset: both name the variables.
    const error = await connectError(envFor(mutual, { REDIS_TLS_CA_FILE: mutual.tls!.client.caFile }));
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toMatch(
      /over TLS: .*client certificate.*set REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE/,
    );
  });

  it('refuses a client certificate of another CA', async () => {
    const error = await connectError(
      envFor(mutual, {
        REDIS_TLS_CA_FILE: mutual.tls!.client.caFile,
        REDIS_TLS_CERT_FILE: otherCa.client.certFile,
        REDIS_TLS_KEY_FILE: otherCa.client.keyFile,
      }),
    );
    expect(error).toBeInstanceOf(RedisConnectionError);
    // The server answers with an alert or just drops the connection, whichever the client reads first.
    expect((error as Error).message).toMatch(
      /over TLS: .*client certificate.*it must be signed by a CA the server trusts/,
    );
    expect(JSON.stringify(error)).not.toContain('PRIVATE KEY');
  });
});
