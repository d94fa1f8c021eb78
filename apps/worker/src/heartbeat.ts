// Each worker announces itself in Redis with a key that expires unless renewed, so a
// dead worker disappears by itself and operators can list the live ones with SCAN.
import { trace, SpanStatusCode } from '@opentelemetry/api';
import type { RedisClient } from '@rnh/redis-client';
import type { Logger } from '@rnh/telemetry';

export interface HeartbeatDeps {
  redis: RedisClient;
  key: string;
  intervalMs: number;
  logger: Logger;
}

const tracer = trace.getTracer('@rnh/worker');

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();
  private lastBeatAt: number | undefined;

  constructor(private readonly deps: HeartbeatDeps) {}

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.deps.intervalMs);
  }

  /** Milliseconds since the last successful beat, or undefined before the first one. */
  ageMs(): number | undefined {
    return this.lastBeatAt === undefined ? undefined : Date.now() - this.lastBeatAt;
  }

  async beat(): Promise<void> {
    const { redis, key, intervalMs, logger } = this.deps;
    await tracer.startActiveSpan('worker.heartbeat', async (span) => {
      try {
        const ttlSeconds = Math.ceil((intervalMs * 3) / 1000);
        await redis.set(
          key,
          JSON.stringify({ pid: process.pid, startedAt: this.startedAt }),
          'EX',
          ttlSeconds,
        );
        this.lastBeatAt = Date.now();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'heartbeat failed' });
        logger.warn({ err: error }, 'worker heartbeat failed; will retry');
      } finally {
        span.end();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // Leave right away instead of waiting for the key to expire.
    await this.deps.redis.del(this.deps.key).catch(() => undefined);
  }
}
