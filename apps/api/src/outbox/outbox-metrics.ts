// The outbox's metrics: the backlog (read from the database at scrape time) and what the relay did.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxRepository } from './outbox-repository.js';

export interface OutboxMetrics {
  relayed: Counter<'job'>;
  failures: Counter;
}

export function createOutboxMetrics(
  registry: Registry,
  outbox: Pick<OutboxRepository, 'backlog'>,
): OutboxMetrics {
  // One query serves both gauges of a scrape.
  let backlog: Promise<{ pending: number; oldestAgeSeconds: number } | undefined> | undefined;
  const read = () => {
    backlog ??= outbox.backlog().then(
      (value) => value,
      () => undefined,
    );
    void backlog.finally(() => setTimeout(() => (backlog = undefined), 1000).unref());
    return backlog;
  };
  new Gauge({
    name: 'outbox_events_pending',
    help: 'Domain events recorded in the database and not yet in the job queue (they wait while Redis is down).',
    registers: [registry],
    async collect() {
      const value = await read();
      if (value) this.set(value.pending);
      else this.reset();
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event not yet in the job queue; 0 when none waits.',
    registers: [registry],
    async collect() {
      const value = await read();
      if (value) this.set(value.oldestAgeSeconds);
      else this.reset();
    },
  });
  return {
    relayed: new Counter({
      name: 'outbox_events_relayed_total',
      help: 'Outbox events put into the job queue by this process, by job.',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'outbox_relay_failures_total',
      help: 'Outbox events the relay could not queue (Redis down, or a sealed field that does not open); retried with backoff.',
      registers: [registry],
    }),
  };
}
