import { performance } from 'node:perf_hooks';
import type { RedisClient, RedisHealth } from '../types.js';
import { redactErrorSecrets } from './redact.js';

/** PING with a deadline; reports instead of throwing, for health endpoints. */
export async function pingRedis(client: RedisClient, timeoutMs = 1000): Promise<RedisHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`PING timed out after ${timeoutMs} ms (status ${client.status})`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.ping(), deadline]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
  } catch (error) {
    const message = error instanceof Error ? redactErrorSecrets(error).message : String(error);
    return { status: 'down', latencyMs: null, error: message };
  } finally {
    clearTimeout(timer);
  }
}
