import { Redis } from 'ioredis';
import type { RedisClient, RedisOptions } from '../types.js';
import { backoffDelay } from './backoff.js';
import { isCluster } from './client-info.js';
import { tlsConnectOptions } from './tls.js';

/** What Sentinel publishes when a master group has a new master: `<name> <old ip> <old port> <new ip> <new port>`. */
const SWITCH_CHANNEL = '+switch-master';

export interface MasterSwitch {
  from: string;
  to: string;
  /** How many connections were ready elsewhere and were told to reconnect. */
  reconnected: number;
}

/**
 * Moves connections to a new master as soon as a Sentinel announces it. Without this a
 * connection stays on the old master until Sentinel demotes it, which it does only seconds
 * after the failover when the old master is alive (SENTINEL FAILOVER, a partition): writes
 * taken meanwhile are dropped when the old master becomes a replica.
 *
 * Why not ioredis's `failoverDetector`: a client's detector outlives the connection it was made
 * for, and when an announcement comes while the client is asking Sentinel for the master again
 * (after losing the old one: a crash), the detector aborts that attempt and ioredis gives up on
 * the client for good (status `end`, every command "Connection is closed."). Here only
 * connections that are ready on another address reconnect; one that is reconnecting asks
 * Sentinel anyway. And one subscription per Sentinel serves every connection, not one per client.
 */
export class SentinelSwitchFollower {
  private readonly watchers: Redis[];

  constructor(
    private readonly options: RedisOptions,
    private readonly clients: () => Iterable<RedisClient>,
    private readonly onSwitch: (change: MasterSwitch) => void,
  ) {
    this.watchers = options.sentinels.map((sentinel) => this.watch(sentinel.host, sentinel.port));
  }

  close(): void {
    for (const watcher of this.watchers) watcher.disconnect();
  }

  private watch(host: string, port: number): Redis {
    const tls = tlsConnectOptions(this.options.tls);
    const watcher = new Redis({
      host,
      port,
      // The Sentinels take the same password as the servers (as ioredis's `sentinelPassword` here).
      password: this.options.password,
      connectionName: 'rnh:sentinel-switch',
      connectTimeout: this.options.connectTimeoutMs,
      retryStrategy: (attempt) =>
        backoffDelay(attempt, this.options.retryDelayMs, this.options.maxRetryDelayMs),
      // The SUBSCRIBE waits for a Sentinel that is down, and is sent again after each reconnect.
      maxRetriesPerRequest: null,
      // The same TLS settings (own CA, client certificate) as the connections' sentinelTLS.
      ...(tls ? { tls } : {}),
    });
    // A Sentinel that is down makes the connections themselves fail over to the next one, and
    // they log it; this watcher only keeps trying.
    watcher.on('error', () => undefined);
    watcher.on('message', (channel: string, text: string) => {
      if (channel === SWITCH_CHANNEL) this.switched(text);
    });
    watcher.subscribe(SWITCH_CHANNEL).catch(() => undefined);
    return watcher;
  }

  private switched(text: string): void {
    const [name, oldHost, oldPort, newHost, newPort] = text.split(' ');
    if (name !== this.options.sentinelName || !newHost || !newPort) return;
    const to = `${newHost}:${newPort}`;
    let reconnected = 0;
    for (const client of this.clients()) {
      // Each Sentinel announces it: a connection already moved, or moving, is left alone.
      if (isCluster(client) || client.status !== 'ready') continue;
      const { remoteAddress, remotePort } = client.stream ?? {};
      if (`${remoteAddress}:${remotePort}` === to) continue;
      client.disconnect(true);
      reconnected += 1;
    }
    if (reconnected > 0) this.onSwitch({ from: `${oldHost}:${oldPort}`, to, reconnected });
  }
}
