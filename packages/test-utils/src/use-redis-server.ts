import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedisServer, type RedisServerHandle, type StartRedisServerOptions } from './redis-server.js';

export interface TestRedis {
  readonly server: RedisServerHandle;
  /** A plain client for looking at (or tampering with) what the code under test stored. */
  readonly admin: Redis;
  /** Steps run after each test, last registered first. */
  readonly cleanup: Array<() => Promise<void> | void>;
}

/** One real redis-server for the test file (Vitest hooks), an admin client on it, and per-test cleanup. */
export function useRedisServer(options: StartRedisServerOptions = {}): TestRedis {
  const state: { server?: RedisServerHandle; admin?: Redis; cleanup: Array<() => Promise<void> | void> } = {
    cleanup: [],
  };
  beforeAll(async () => {
    state.server = await startRedisServer(options);
    const { host, port, tls } = state.server;
    // Over TLS the admin presents the client certificate, so it also gets in where one is required.
    state.admin = new Redis({
      host,
      port,
      ...(tls && { tls: { ca: tls.client.ca, cert: tls.client.cert, key: tls.client.key } }),
    });
    // Tests that stop the server make this client fail too; that is expected.
    state.admin.on('error', () => undefined);
  });
  afterEach(async () => {
    for (const step of state.cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await state.admin?.quit();
    await state.server?.destroy();
  });
  return {
    get server() {
      return state.server!;
    },
    get admin() {
      return state.admin!;
    },
    cleanup: state.cleanup,
  };
}
