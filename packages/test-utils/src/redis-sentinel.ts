// A real Redis Sentinel watching a master started with startRedisServer, for Sentinel-mode tests
// (several of them, with replicas to fail over to: startRedisSentinelGroup).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findRedisServerBinary,
  freePortWithRetry,
  launch,
  terminate,
  type RedisServerHandle,
} from './redis-server.js';

export interface RedisSentinelHandle {
  readonly host: string;
  readonly port: number;
  readonly masterName: string;
  destroy(): Promise<void>;
}

export interface StartRedisSentinelOptions {
  master: Pick<RedisServerHandle, 'host' | 'port'>;
  masterName?: string;
  /** The master's password (Sentinel authenticates with it) and the Sentinel's own. */
  password?: string;
  /** Sentinels that must agree the master is down before a failover (default 1). */
  quorum?: number;
  /** How long the master may not answer before this Sentinel thinks it is down (default 1000 ms). */
  downAfterMs?: number;
  /** `failover-timeout`: also how long a failed failover waits before the next try (Redis's default: 3 min). */
  failoverTimeoutMs?: number;
}

export async function startRedisSentinel(options: StartRedisSentinelOptions): Promise<RedisSentinelHandle> {
  const binary = findRedisServerBinary();
  const masterName = options.masterName ?? 'rnh-master';
  const dir = mkdtempSync(join(tmpdir(), 'rnh-sentinel-'));
  const port = await freePortWithRetry();
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${masterName} ${options.master.host} ${options.master.port} ${options.quorum ?? 1}`,
    `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
  ];
  if (options.failoverTimeoutMs !== undefined)
    lines.push(`sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs}`);
  if (options.password)
    lines.push(`sentinel auth-pass ${masterName} ${options.password}`, `requirepass ${options.password}`);
  const configPath = join(dir, 'sentinel.conf');
  writeFileSync(configPath, `${lines.join('\n')}\n`);
  const child = await launch(binary, configPath, port, true).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  let destroyed = false;
  return {
    host: '127.0.0.1',
    port,
    masterName,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
