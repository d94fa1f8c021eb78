import { randomBytes } from 'node:crypto';
import { CacheSerializationError } from '../errors.js';
import { decodeEnvelope, encodeEnvelope } from '../serializer.js';
import type { LookupResult } from '../types.js';
import type { Core } from './core.js';
import { DELETE_IF_EQUALS, READ_ENTRY, TAG_TOKEN } from './scripts.js';
import { freshMsOf, type WritePlan } from './write-plan.js';

/** A readable entry: fresh (`hit`) or within its grace period (`stale`). */
export interface FoundEntry {
  kind: 'hit' | 'stale';
  value: unknown;
  /** Encoded size, the unit of the L1 byte bound. */
  bytes: number;
  /** How long it stays fresh (Redis's clock); <= 0 when stale, Infinity without expiry. */
  freshMs: number;
  /** The fresh TTL it was written with, when recorded (for early refresh). */
  ttlMs: number | undefined;
  tags: string[];
}

/** What one L2 read found. `error` is Redis failing; an unreadable or tag-invalidated entry is a `miss`. */
export type EntryRead = FoundEntry | { kind: 'miss' | 'error' };

/** Tag -> the token the tag had when an entry was written (see Cache.invalidateTag). */
export type TagTokens = Record<string, string>;

/**
 * The L2 entries of one namespace: read (GET + PTTL, decode, tag check), write,
 * and tag tokens. Reads never throw (a failing Redis is `error`); an unreadable
 * entry is dropped, counted and read as a miss.
 */
export class EntryStore {
  constructor(
    private readonly core: Core,
    private readonly cache: string,
  ) {}

  /** One uncounted read; callers count it with `count` once they know what they serve. */
  async read(fullKey: string): Promise<EntryRead> {
    let raw: [string, number] | null;
    try {
      raw = await this.readRaw(fullKey);
    } catch {
      return { kind: 'error' };
    }
    if (!raw) return { kind: 'miss' };
    const [text, pttl] = raw;
    let entry;
    try {
      entry = decodeEnvelope(text, this.core.settings.schemaVersion);
    } catch (error) {
      await this.dropUnreadable(fullKey, text, error);
      return { kind: 'miss' };
    }
    if (entry.tags) {
      let valid: boolean;
      try {
        valid = await this.tagsValid(entry.tags);
      } catch {
        return { kind: 'error' };
      }
      if (!valid) return { kind: 'miss' };
    }
    // PTTL is Redis's clock: fresh while more than the grace period remains (-1: no expiry).
    const fresh = pttl < 0 || pttl > entry.graceMs;
    return {
      kind: fresh ? 'hit' : 'stale',
      value: entry.value,
      bytes: Buffer.byteLength(text),
      freshMs: pttl < 0 ? Number.POSITIVE_INFINITY : pttl - entry.graceMs,
      ttlMs: entry.ttlMs,
      tags: entry.tags ? Object.keys(entry.tags) : [],
    };
  }

  /** Counts one L2 lookup (`stale` only where a stale value is handed out; otherwise it is a `miss`). */
  count(result: LookupResult): void {
    this.core.metrics.lookups.inc({ cache: this.cache, layer: 'l2', result });
  }

  /** Seconds until the entry goes stale (0 when stale); a counter's remaining TTL; undefined when absent or Redis fails. */
  async secondsUntilStale(fullKey: string): Promise<number | undefined> {
    const raw = await this.readRaw(fullKey).catch(() => undefined);
    if (!raw) return undefined;
    const [text, pttl] = raw;
    if (pttl < 0) return undefined;
    let graceMs = 0;
    try {
      graceMs = decodeEnvelope(text, this.core.settings.schemaVersion).graceMs;
    } catch {
      // Not an envelope (a counter): its PTTL is its TTL.
    }
    return Math.max(0, Math.ceil((pttl - graceMs) / 1000));
  }

  /**
   * Writes an entry; answers its encoded size, or 0 when Redis failed (counted and
   * logged by L2). Throws CacheSerializationError for a value that cannot round-trip.
   */
  async write(fullKey: string, value: unknown, plan: WritePlan, tokens: TagTokens): Promise<number> {
    const text = encodeEnvelope(value, {
      graceMs: plan.graceMs,
      schemaVersion: this.core.settings.schemaVersion,
      tags: tokens,
      ttlMs: freshMsOf(plan),
    });
    try {
      await this.core.l2.call(this.cache, 'set', (redis) => redis.set(fullKey, text, 'PX', plan.lifetimeMs));
      return Buffer.byteLength(text);
    } catch {
      return 0;
    }
  }

  /** write() for a loader's value: one that cannot be cached is counted and logged (0), since the caller still gets it. */
  async writeLoaded(fullKey: string, value: unknown, plan: WritePlan, tokens: TagTokens): Promise<number> {
    try {
      return await this.write(fullKey, value, plan, tokens);
    } catch (error) {
      if (!(error instanceof CacheSerializationError)) throw error;
      this.core.metrics.errors.inc({ cache: this.cache, operation: 'encode' });
      this.core.logger.warn(
        { cache: this.cache, operation: 'encode', error: error.message },
        'loaded value cannot be cached; returned uncached',
      );
      return 0;
    }
  }

  /**
   * The current token of each tag, created when missing. Read before a load, so an
   * invalidation while loading changes the token and voids the loaded entry.
   * Throws CacheUnavailableError when Redis fails.
   */
  async tagTokens(tags: string[], lifetimeMs: number): Promise<TagTokens> {
    if (tags.length === 0) return {};
    // The tag key must outlive every entry that records its token (a minute of margin).
    const keepMs = lifetimeMs + 60_000;
    const values = await this.core.l2.call(this.cache, 'tag_token', (redis) =>
      Promise.all(
        tags.map((tag) =>
          TAG_TOKEN.run(redis, [this.core.tagKeys.key(tag)], [randomBytes(9).toString('base64url'), keepMs]),
        ),
      ),
    );
    return Object.fromEntries(tags.map((tag, index) => [tag, String(values[index])]));
  }

  private async readRaw(fullKey: string): Promise<[string, number] | null> {
    const raw = await this.core.l2.call(this.cache, 'get', (redis) => READ_ENTRY.run(redis, [fullKey], []));
    if (!Array.isArray(raw)) return null;
    return [String(raw[0]), Number(raw[1])];
  }

  private async tagsValid(tokens: TagTokens): Promise<boolean> {
    const entries = Object.entries(tokens);
    const current = await this.core.l2.call(this.cache, 'tag_check', (redis) =>
      Promise.all(entries.map(([tag]) => redis.get(this.core.tagKeys.key(tag)))),
    );
    return entries.every(([, token], index) => current[index] === token);
  }

  /** Compare-and-delete, so a fresh write that raced in is never removed. */
  private async dropUnreadable(fullKey: string, text: string, error: unknown): Promise<void> {
    this.core.metrics.errors.inc({ cache: this.cache, operation: 'decode' });
    this.core.logger.warn(
      { cache: this.cache, operation: 'decode', error: error instanceof Error ? error.message : 'unknown' },
      'unreadable cache entry dropped; loading fresh',
    );
    await this.core.l2
      .call(this.cache, 'delete', (redis) => DELETE_IF_EQUALS.run(redis, [fullKey], [text]))
      .catch(() => undefined);
  }
}
