// The app side of the @rnh packages, built once per cell as a composition root builds it:
// RedisConnections (the shared `commands` connection auto-pipelines, client metrics on), a
// prom-client registry, and a logger at `warn` whose lines are counted instead of printed
// (under load a breaker or a fail-open can log thousands; the cell reports how many).
import { defaultRedisOptions, RedisConnections, type Logger } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import type { Registry } from 'prom-client';

export interface RnhApp {
  connections: RedisConnections;
  registry: Registry;
  logger: Logger;
  /** Log lines so far, and the message of the first. */
  logged(): { lines: number; first: string | undefined };
}

export async function startRnhApp(host: string, port: number): Promise<RnhApp> {
  const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
  let lines = 0;
  let first: string | undefined;
  const logger = createLogger({
    name: 'bench',
    level: 'warn',
    destination: {
      write(line: string) {
        lines++;
        if (first === undefined) {
          const entry = JSON.parse(line) as { msg?: string; error?: string };
          first = [entry.msg, entry.error].filter(Boolean).join(': ');
        }
      },
    },
  });
  const connections = new RedisConnections({
    options: defaultRedisOptions({ host, port, keyPrefix: 'bench:' }),
    logger,
    registry,
  });
  await connections.connect();
  return { connections, registry, logger, logged: () => ({ lines, first }) };
}

/** `ours logged 12 warnings (first: ...)`, or undefined when it logged nothing. */
export function loggedNote(app: RnhApp): string | undefined {
  const { lines, first } = app.logged();
  return lines === 0 ? undefined : `ours logged ${lines} warnings (first: ${first})`;
}
