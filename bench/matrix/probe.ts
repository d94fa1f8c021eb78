// One small connection per redis-server that reads INFO cpu and commandstats around measurements.
import { Redis } from 'ioredis';
import { parseCommandStats, parseCpuSeconds, type ServerSnapshot } from './commandstats.js';

export class RedisProbe {
  private readonly client: Redis;
  private infoCalls = 0;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    // No ready check: it would send an INFO of its own that the count below does not know of.
    this.client = new Redis({
      host,
      port,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 1,
    });
    this.client.on('error', () => undefined);
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async snapshot(): Promise<ServerSnapshot> {
    const ownInfoCallsBefore = this.infoCalls;
    const info = (await this.client.call('INFO', 'cpu', 'commandstats')) as string;
    this.infoCalls++;
    return { commands: parseCommandStats(info), cpuSeconds: parseCpuSeconds(info), ownInfoCallsBefore };
  }

  /** `redis_version` from INFO server (also counted as one of the probe's INFO calls). */
  async version(): Promise<string> {
    const info = (await this.client.call('INFO', 'server')) as string;
    this.infoCalls++;
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  }

  /** A command of the caller's own (e.g. SCRIPT LOAD); not an INFO, so not counted here. */
  call(command: string, ...args: string[]): Promise<unknown> {
    return this.client.call(command, ...args);
  }

  close(): void {
    this.client.disconnect();
  }
}
