// A real Redis Sentinel watching a master started with startRedisServer, for Sentinel-mode tests.
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
    `sentinel monitor ${masterName} ${options.master.host} ${options.master.port} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
  ];
  if (options.password)
    lines.push(`sentinel auth-pass ${masterName} ${options.password}`, `requirepass ${options.password}`);
  const configPath = join(dir, 'sentinel.conf');
  writeFileSync(configPath, `${lines.join('\n')}\n`);
  const child = await launch(binary, configPath, port, true);
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
