import { CacheSerializationError } from './errors.js';

/** Format version of the stored envelope; an entry with another `v` is treated as unreadable. */
export const ENVELOPE_VERSION = 1;

/** What is stored under a cache key: `{ v, s?, g, f?, e?, t?, p?, d }`. */
export interface Envelope {
  /** Envelope format version (ENVELOPE_VERSION). */
  v: number;
  /** Application schema version (CacheOptions.schemaVersion), omitted when 0. */
  s?: number;
  /** Grace period in ms: the entry is fresh while its PTTL is above this. */
  g: number;
  /** Fresh TTL in ms it was written with (for early refresh); absent in older entries. */
  f?: number;
  /**
   * Fresh until (ms since the epoch, the writer's clock): a reader decides fresh or
   * stale from this with a plain GET, no PTTL. Absent in older entries (then PTTL is read).
   */
  e?: number;
  /** Tag -> token the tag had when the entry was written. */
  t?: Record<string, string>;
  /** 1 when `d` is plain JSON (no tagged Date, BigInt, undefined or `$t` object): decoding skips the walk. */
  p?: 1;
  /** The value in wire form (see toWire). */
  d: unknown;
}

// Wire form: plain JSON, except tagged objects `{ $t: kind, v }` for Date ('d'), BigInt ('b'),
// undefined ('u'), and plain objects that themselves have a `$t` key ('o'), so user data never
// collides with a tag.
type Tagged = { $t: 'd' | 'b' | 'u' | 'o'; v?: unknown };

/** Set by toWire when it produced a tagged object (so the encoded value is not plain JSON). */
let taggedSeen = false;

export function toWire(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unserializable(`non-finite number ${String(value)}`);
    return value;
  }
  if (typeof value === 'bigint') {
    taggedSeen = true;
    return { $t: 'b', v: value.toString() };
  }
  if (value === undefined) {
    taggedSeen = true;
    return { $t: 'u' };
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw unserializable('invalid Date');
    taggedSeen = true;
    return { $t: 'd', v: value.toISOString() };
  }
  if (typeof value !== 'object') throw unserializable(`a ${typeof value}`);
  if (seen.has(value)) throw unserializable('a circular structure');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => toWire(item, seen));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw unserializable(`an instance of ${(value as object).constructor?.name ?? 'a class'}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue; // as JSON does
      out[key] = toWire(item, seen);
    }
    if (!('$t' in out)) return out;
    taggedSeen = true;
    return { $t: 'o', v: out };
  } finally {
    seen.delete(value);
  }
}

export function fromWire(wire: unknown): unknown {
  if (wire === null || typeof wire !== 'object') return wire;
  if (Array.isArray(wire)) return wire.map(fromWire);
  const record = wire as Record<string, unknown>;
  if ('$t' in record) {
    const tagged = record as Tagged;
    switch (tagged.$t) {
      case 'd': {
        const date = new Date(String(tagged.v));
        if (Number.isNaN(date.getTime())) throw unreadable('bad Date');
        return date;
      }
      case 'b':
        return BigInt(String(tagged.v));
      case 'u':
        return undefined;
      case 'o':
        return decodeObject(tagged.v);
      default:
        throw unreadable('unknown tag');
    }
  }
  return decodeObject(record);
}

function decodeObject(wire: unknown): Record<string, unknown> {
  if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) throw unreadable('bad object');
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(wire as Record<string, unknown>)) out[key] = fromWire(item);
  return out;
}

/** Encodes an entry; throws CacheSerializationError for values that would not round-trip. */
export function encodeEnvelope(
  value: unknown,
  meta: {
    graceMs: number;
    schemaVersion: number;
    tags?: Record<string, string>;
    ttlMs?: number;
    /** Fresh until, ms since the epoch (the writer's clock). */
    freshUntil?: number;
  },
): string {
  taggedSeen = false;
  const d = toWire(value);
  const envelope: Envelope = { v: ENVELOPE_VERSION, g: meta.graceMs, d };
  if (meta.ttlMs !== undefined) envelope.f = meta.ttlMs;
  if (meta.freshUntil !== undefined) envelope.e = meta.freshUntil;
  if (meta.schemaVersion !== 0) envelope.s = meta.schemaVersion;
  if (meta.tags && Object.keys(meta.tags).length > 0) envelope.t = meta.tags;
  if (!taggedSeen) envelope.p = 1;
  return JSON.stringify(envelope);
}

export interface DecodedEntry {
  value: unknown;
  graceMs: number;
  /** Fresh TTL the entry was written with, when recorded. */
  ttlMs: number | undefined;
  /** Fresh until, ms since the epoch (the writer's clock); undefined in entries written before it was recorded. */
  freshUntil: number | undefined;
  tags: Record<string, string> | undefined;
}

/** Decodes an entry; throws CacheSerializationError when it is not ours, another version, or corrupt. */
export function decodeEnvelope(text: string, schemaVersion: number): DecodedEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw unreadable('not JSON', error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw unreadable('not an envelope');
  const envelope = parsed as Partial<Envelope>;
  if (envelope.v !== ENVELOPE_VERSION) throw unreadable('envelope version mismatch');
  if ((envelope.s ?? 0) !== schemaVersion) throw unreadable('schema version mismatch');
  if (typeof envelope.g !== 'number' || !('d' in envelope)) throw unreadable('envelope fields missing');
  const tags = envelope.t;
  if (tags !== undefined && (tags === null || typeof tags !== 'object')) throw unreadable('bad tags');
  const ttlMs = typeof envelope.f === 'number' ? envelope.f : undefined;
  const freshUntil = typeof envelope.e === 'number' ? envelope.e : undefined;
  // A plain value is the parsed JSON itself: no second walk, no copy.
  if (envelope.p === 1) return { value: envelope.d, graceMs: envelope.g, ttlMs, freshUntil, tags };
  try {
    return { value: fromWire(envelope.d), graceMs: envelope.g, ttlMs, freshUntil, tags };
  } catch (error) {
    if (error instanceof CacheSerializationError) throw error;
    throw unreadable('bad value', error);
  }
}

function unserializable(what: string): CacheSerializationError {
  return new CacheSerializationError('CACHE_SERIALIZE_FAILED', `cannot cache ${what}`);
}

function unreadable(why: string, cause?: unknown): CacheSerializationError {
  return new CacheSerializationError('CACHE_DESERIALIZE_FAILED', `unreadable cache entry: ${why}`, {
    cause,
  });
}
