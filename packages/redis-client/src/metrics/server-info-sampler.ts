import type { Redis } from 'ioredis';
import { clientTarget, isCluster } from '../connection/client-info.js';
import { redactErrorSecrets } from '../connection/redact.js';
import type { RedisClient } from '../types.js';
import { parseRedisInfo } from './parse-info.js';

export interface ServerInfoSample {
  /** `host:port` of the server (each master of a cluster). */
  node: string;
  up: boolean;
  info?: Record<string, string>;
  error?: string;
}

export interface RedisServerInfoSamplerOptions {
  /** The client to run INFO on, or a getter (so the connection is only made when a scrape needs it). */
  client: RedisClient | (() => RedisClient);
  /** How long one sample serves later calls; default 5000 ms. */
  cacheMs?: number;
  /** Deadline for INFO; a scrape must not hang on a dead server. Default 1000 ms. */
  timeoutMs?: number;
  /** `node` label for a non-cluster client; defaults to its configured host:port. */
  node?: string;
  now?: () => number;
}

/**
 * Reads the server's own view (INFO) at most once per cache window. Concurrent
 * callers share the INFO in flight. On a cluster, every known master is asked.
 */
export class RedisServerInfoSampler {
  private readonly getClient: () => RedisClient;
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private cached: { at: number; samples: ServerInfoSample[] } | undefined;
  private inFlight: Promise<ServerInfoSample[]> | undefined;

  constructor(private readonly options: RedisServerInfoSamplerOptions) {
    const { client } = options;
    this.getClient = typeof client === 'function' ? client : () => client;
    this.cacheMs = options.cacheMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Never rejects: a failed INFO becomes `{ up: false, error }`. */
  sample(): Promise<ServerInfoSample[]> {
    if (this.cached && this.now() - this.cached.at < this.cacheMs)
      return Promise.resolve(this.cached.samples);
    this.inFlight ??= this.fetchAll()
      .then((samples) => {
        this.cached = { at: this.now(), samples };
        return samples;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetchAll(): Promise<ServerInfoSample[]> {
    let client: RedisClient;
    try {
      client = this.getClient();
    } catch (error) {
      return [{ node: this.options.node ?? 'unknown', up: false, error: errorMessage(error) }];
    }
    if (!isCluster(client)) return [await this.fetchOne(client, this.options.node ?? clientTarget(client))];
    const masters = client.status === 'ready' ? client.nodes('master') : [];
    if (masters.length === 0)
      return [{ node: this.options.node ?? 'cluster', up: false, error: `cluster status ${client.status}` }];
    return Promise.all(
      masters.map((node) => this.fetchOne(node, `${node.options.host}:${node.options.port}`)),
    );
  }

  private async fetchOne(client: Redis, node: string): Promise<ServerInfoSample> {
    // Not ready: INFO would wait in the offline queue, or fail anyway; report down right away.
    if (client.status !== 'ready') return { node, up: false, error: `connection status ${client.status}` };
    let timer: NodeJS.Timeout | undefined;
    try {
      const text = await Promise.race([
        client.info(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`INFO timed out after ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      return { node, up: true, info: parseRedisInfo(text) };
    } catch (error) {
      return { node, up: false, error: errorMessage(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? redactErrorSecrets(error).message : String(error);
}
