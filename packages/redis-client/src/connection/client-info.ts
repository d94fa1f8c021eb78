import { Cluster } from 'ioredis';
import type { RedisClient } from '../types.js';
import type { TlsInUse } from './tls-failure.js';

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: boolean }).isCluster === true;
}

/** host:port (or the cluster's seed nodes) read from the client, for messages; never credentials. */
export function clientTarget(client: RedisClient): string {
  if (isCluster(client)) {
    const nodes =
      (client as unknown as { startupNodes?: Array<{ host?: string; port?: number } | string | number> })
        .startupNodes ?? [];
    return `cluster via ${nodes.map((node) => (typeof node === 'object' ? `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}` : String(node))).join(',')}`;
  }
  const { host, port, sentinels, name } = client.options;
  if (sentinels?.length) return `sentinel master "${name ?? '?'}"`;
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/** Whether the client connects over TLS, and with a client certificate; undefined without TLS. */
export function clientTls(client: RedisClient): TlsInUse | undefined {
  const tls = isCluster(client) ? client.options.redisOptions?.tls : client.options.tls;
  return tls ? { clientCertificate: Boolean(tls.cert) } : undefined;
}

export function clientUsername(client: RedisClient): string | undefined {
  return isCluster(client) ? client.options.redisOptions?.username : client.options.username;
}

/** Commands written and not yet answered, plus those waiting for a connection. */
export function pendingCommands(client: RedisClient): number {
  const queues = client as unknown as {
    commandQueue?: { length: number };
    offlineQueue?: { length: number };
  };
  let pending = (queues.commandQueue?.length ?? 0) + (queues.offlineQueue?.length ?? 0);
  if (isCluster(client)) {
    for (const node of client.nodes('all')) pending += pendingCommands(node);
  }
  return pending;
}

export const CONNECTION_STATES = [
  'wait',
  'connecting',
  'connect',
  'ready',
  'close',
  'reconnecting',
  'end',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** Folds the few extra ioredis states into the bounded label set. */
export function connectionState(client: RedisClient): ConnectionState {
  const status: string = client.status;
  if (status === 'disconnecting') return 'close';
  if (status === 'monitoring') return 'ready';
  return (CONNECTION_STATES as readonly string[]).includes(status) ? (status as ConnectionState) : 'close';
}
