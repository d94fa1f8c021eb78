import { randomBytes } from 'node:crypto';
import type { LockOptions } from '../types.js';
import type { Core } from './core.js';
import type { EntryStore, FoundEntry } from './entries.js';
import { DELETE_IF_EQUALS } from './scripts.js';

/** `held`: this process now holds the lock (release it with the token); `busy`: another does; `error`: Redis failed. */
export type LockAttempt = { kind: 'held'; token: string } | { kind: 'busy' } | { kind: 'error' };

/** How a wait for another process's load ended: its value, the lock (it failed), or nothing (load without it). */
export type HolderWait =
  { kind: 'hit'; entry: FoundEntry } | { kind: 'acquired'; token: string } | { kind: 'gave_up' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The cross-process load lock of one namespace, so that one process loads a key
 * while the others wait for its value. `<prefix>cache:__lock:<namespace>:<key>`
 * is taken with SET NX PX (a crashed holder frees it after `ttlMs`) and released
 * by compare-and-delete (a holder whose lock expired never frees another's).
 * Each call touches one key, so any slot is fine on Cluster.
 */
export class LoadLock {
  constructor(
    private readonly core: Core,
    private readonly cache: string,
    private readonly entries: EntryStore,
    private readonly options: Required<LockOptions>,
  ) {}

  /**
   * A miss, before loading: the lock to load under (`acquired`), the value another
   * process wrote meanwhile (`hit`), or nothing (`gave_up`: load without the lock).
   */
  async claim(fullKey: string): Promise<HolderWait> {
    const attempt = await this.acquire(fullKey);
    if (attempt.kind === 'error') return { kind: 'gave_up' };
    const claimed: HolderWait =
      attempt.kind === 'held'
        ? { kind: 'acquired', token: attempt.token }
        : await this.waitForHolder(fullKey);
    return claimed.kind === 'acquired' ? this.recheck(fullKey, claimed.token) : claimed;
  }

  async acquire(fullKey: string): Promise<LockAttempt> {
    const token = randomBytes(9).toString('base64url');
    try {
      const ok = await this.core.l2.call(this.cache, 'lock', (redis) =>
        redis.set(this.lockKey(fullKey), token, 'PX', this.options.ttlMs, 'NX'),
      );
      return ok === 'OK' ? { kind: 'held', token } : { kind: 'busy' };
    } catch {
      return { kind: 'error' };
    }
  }

  /** Never throws: an unreleased lock expires by itself. */
  async release(fullKey: string, token: string): Promise<void> {
    await this.core.l2
      .call(this.cache, 'unlock', (redis) => DELETE_IF_EQUALS.run(redis, [this.lockKey(fullKey)], [token]))
      .catch(() => undefined);
  }

  /**
   * A miss while another process holds the lock: poll for its value. If the lock
   * is released without one (its loader failed), take the lock and load; after
   * `waitMs` (or a Redis error) give up, and load without it.
   */
  private async waitForHolder(fullKey: string): Promise<HolderWait> {
    const { metrics, logger } = this.core;
    metrics.lockWaits.inc({ cache: this.cache });
    const deadline = Date.now() + this.options.waitMs;
    while (Date.now() < deadline) {
      await sleep(this.options.pollMs);
      const found = await this.entries.read(fullKey);
      if (found.kind === 'hit') return { kind: 'hit', entry: found };
      if (found.kind === 'error') return { kind: 'gave_up' };
      const attempt = await this.acquire(fullKey);
      if (attempt.kind === 'error') return { kind: 'gave_up' };
      if (attempt.kind === 'held') return { kind: 'acquired', token: attempt.token };
    }
    metrics.lockTimeouts.inc({ cache: this.cache });
    logger.debug({ cache: this.cache, operation: 'lock_wait' }, 'cache lock wait timed out; loading');
    return { kind: 'gave_up' };
  }

  /**
   * Another process is refreshing a stale entry: poll for its fresh value until
   * `deadline` (the soft timeout). Unlike a miss, a stale value is at hand, so
   * this never loads: undefined means "serve the stale value".
   */
  async waitForRefresh(fullKey: string, deadline: number): Promise<FoundEntry | undefined> {
    for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
      await sleep(Math.min(this.options.pollMs, left));
      const found = await this.entries.read(fullKey);
      if (found.kind === 'hit') return found;
      if (found.kind !== 'stale') return undefined; // gone, invalidated or Redis failing: stop polling
    }
    return undefined;
  }

  /**
   * The lock is ours, but our miss may be older than it: another process may have
   * loaded, written and released in between (a starved process sees that often).
   * One more read then saves a second load of the key.
   */
  private async recheck(fullKey: string, token: string): Promise<HolderWait> {
    const found = await this.entries.read(fullKey);
    if (found.kind !== 'hit') return { kind: 'acquired', token };
    await this.release(fullKey, token);
    return { kind: 'hit', entry: found };
  }

  private lockKey(fullKey: string): string {
    return this.core.lockKeys.prefix + fullKey.slice(this.core.root.prefix.length);
  }
}
