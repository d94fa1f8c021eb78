import { randomBytes } from 'node:crypto';
import { CacheSerializationError } from '../errors.js';
import { decodeEnvelope, encodeEnvelope, type DecodedEntry } from '../serializer.js';
import type { LookupResult } from '../types.js';
import type { Core } from './core.js';
import type { ReadSlot } from './read-batch.js';
import { DELETE_IF_EQUALS, READ_ENTRY, TAG_TOKEN } from './scripts.js';
import { freshMsOf, type WritePlan } from './write-plan.js';

type Labels = { cache: string; layer: 'l2'; result: LookupResult };

/** A readable entry: fresh (`hit`) or within its grace period (`stale`). */
export interface FoundEntry {
  kind: 'hit' | 'stale';
  value: unknown;
  /** The stored text; its UTF-8 size is the unit of the L1 byte bound. */
  text: string;
  /** How long it stays fresh; <= 0 when stale, Infinity without expiry. */
  freshMs: number;
  /** The fresh TTL it was written with, when recorded (for early refresh). */
  ttlMs: number | undefined;
  /** Its grace period: how long past `freshMs` it may be served stale. */
  graceMs: number;
  tags: readonly string[];
}

/** What one L2 read found. `error` is Redis failing; an unreadable or tag-invalidated entry is a `miss`. */
export type EntryRead = FoundEntry | { kind: 'miss' | 'error' };

/** Tag -> the token the tag had when an entry was written (see Cache.invalidateTag). */
export type TagTokens = Record<string, string>;

const MISS: EntryRead = Object.freeze({ kind: 'miss' });
export const READ_ERROR: EntryRead = Object.freeze({ kind: 'error' });
const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * The L2 entries of one namespace: read (one GET, batched with the other reads of
 * the event-loop turn into an MGET; decode; tag check), write, and tag tokens.
 * Reads never throw (a failing Redis is `error`); an unreadable entry is dropped,
 * counted and read as a miss.
 *
 * Freshness: an entry carries its own fresh-until time (`e`, ms since the epoch,
 * stamped by the writer's clock) and grace period, so a plain GET tells fresh,
 * stale or expired without a script or a PTTL; Redis still drops the key at the
 * end of its lifetime (TTL + grace, Redis's clock). The decision is the reader's
 * clock against the writer's: it is off by the skew between the two machines'
 * clocks (milliseconds under NTP), so entries go stale that much early or late.
 * An entry the reader's clock sees past its grace period but Redis still holds is
 * a miss. Entries written before `e` existed are read with GET + PTTL (Redis's
 * clock) as before.
 */
export class EntryStore {
  private readonly lookups: Record<LookupResult, Labels>;

  constructor(
    private readonly core: Core,
    private readonly cache: string,
  ) {
    const labels = (result: LookupResult): Labels => ({ cache, layer: 'l2', result });
    this.lookups = {
      hit: labels('hit'),
      miss: labels('miss'),
      stale: labels('stale'),
      error: labels('error'),
    };
  }

  /** One uncounted read; callers count it with `count` once they know what they serve. */
  read(fullKey: string): Promise<EntryRead> {
    const { values, slot } = this.request(fullKey);
    return values.then(
      (texts) => this.examine(fullKey, texts[slot]),
      () => READ_ERROR,
    );
  }

  /** Puts `fullKey` in the current read batch; its text will be `values[slot]` (see `examine`). */
  request(fullKey: string): ReadSlot {
    return this.core.reads.read(fullKey, this.cache, 'get');
  }

  /**
   * What a GET of `fullKey` answered (`text`), decoded and judged. Synchronous for an
   * entry without tags (the common case); a promise when it needs more Redis calls
   * (tag check, PTTL of an entry without `e`, dropping an unreadable entry).
   */
  examine(fullKey: string, text: string | null | undefined): EntryRead | Promise<EntryRead> {
    if (text === null || text === undefined) return MISS;
    let entry: DecodedEntry;
    try {
      entry = decodeEnvelope(text, this.core.settings.schemaVersion);
    } catch (error) {
      return this.dropUnreadable(fullKey, text, error).then(() => MISS);
    }
    if (entry.freshUntil === undefined) return this.readWithPttl(fullKey);
    if (entry.tags)
      return this.checkTags(entry.tags).then((ok) => (ok === true ? this.judge(text, entry) : ok));
    return this.judge(text, entry);
  }

  /** Fresh, stale or expired by this process's clock against the entry's `e` (see the class comment). */
  private judge(text: string, entry: DecodedEntry): EntryRead {
    const freshMs = entry.freshUntil! - Date.now();
    // Past its grace period by this clock: expired (Redis drops it about now, give or take the skew).
    if (freshMs <= 0 && freshMs + entry.graceMs <= 0) return MISS;
    return {
      kind: freshMs > 0 ? 'hit' : 'stale',
      value: entry.value,
      text,
      freshMs,
      ttlMs: entry.ttlMs,
      graceMs: entry.graceMs,
      tags: entry.tags ? Object.keys(entry.tags) : NO_TAGS,
    };
  }

  /** true when every tag still has the entry's token; else the read's answer (`miss`, or `error` when Redis fails). */
  private async checkTags(tokens: TagTokens): Promise<true | EntryRead> {
    try {
      return (await this.tagsValid(tokens)) ? true : MISS;
    } catch {
      return READ_ERROR;
    }
  }

  /** Counts one L2 lookup (`stale` only where a stale value is handed out; otherwise it is a `miss`). */
  count(result: LookupResult): void {
    this.core.metrics.lookups.inc(this.lookups[result]);
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
    const freshMs = freshMsOf(plan);
    const text = encodeEnvelope(value, {
      graceMs: plan.graceMs,
      schemaVersion: this.core.settings.schemaVersion,
      tags: tokens,
      ttlMs: freshMs,
      freshUntil: Date.now() + freshMs,
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

  /**
   * The read of an entry written without `e` (before entries carried their freshness):
   * GET + PTTL in one script, fresh while more than the grace period is left (Redis's clock).
   */
  private async readWithPttl(fullKey: string): Promise<EntryRead> {
    let raw: [string, number] | null;
    try {
      raw = await this.readRaw(fullKey);
    } catch {
      return READ_ERROR;
    }
    if (!raw) return MISS;
    const [text, pttl] = raw;
    let entry: DecodedEntry;
    try {
      entry = decodeEnvelope(text, this.core.settings.schemaVersion);
    } catch (error) {
      await this.dropUnreadable(fullKey, text, error);
      return MISS;
    }
    if (entry.tags) {
      const checked = await this.checkTags(entry.tags);
      if (checked !== true) return checked;
    }
    // -1: no expiry.
    const freshMs = pttl < 0 ? Number.POSITIVE_INFINITY : pttl - entry.graceMs;
    return {
      kind: freshMs > 0 ? 'hit' : 'stale',
      value: entry.value,
      text,
      freshMs,
      ttlMs: entry.ttlMs,
      graceMs: entry.graceMs,
      tags: entry.tags ? Object.keys(entry.tags) : NO_TAGS,
    };
  }

  private async readRaw(fullKey: string): Promise<[string, number] | null> {
    const raw = await this.core.l2.call(this.cache, 'get', (redis) => READ_ENTRY.run(redis, [fullKey], []));
    if (!Array.isArray(raw)) return null;
    return [String(raw[0]), Number(raw[1])];
  }

  /** The tags' current tokens, read in the current batch (the tag checks of one turn share one MGET). */
  private async tagsValid(tokens: TagTokens): Promise<boolean> {
    const tags = Object.keys(tokens);
    const { values, slots } = this.core.reads.readAll(
      tags.map((tag) => this.core.tagKeys.key(tag)),
      this.cache,
      'tag_check',
    );
    const current = await values;
    return tags.every((tag, index) => current[slots[index]!] === tokens[tag]);
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
