import type { EventSchemas, FeedEvent } from '../types.js';
import { streamIdTime } from './stream-id.js';

/** An event as it travels: the pub/sub text or a stream entry's fields, not yet validated. */
export interface RawEvent {
  id: string;
  type: string;
  traceParent: string;
  json: string;
}

/** Reads `id\ntype\ntraceparent\ndata` (what the publish script sends); undefined if it is not that. */
export function parseMessage(text: string): RawEvent | undefined {
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  const third = text.indexOf('\n', second + 1);
  if (first < 0 || second < 0 || third < 0) return undefined;
  return {
    id: text.slice(0, first),
    type: text.slice(first + 1, second),
    traceParent: text.slice(second + 1, third),
    json: text.slice(third + 1),
  };
}

/** Reads an XRANGE entry: [id, [field, value, ...]]. */
export function parseEntry(entry: unknown): RawEvent | undefined {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) return undefined;
  const fields = entry[1] as unknown[];
  const raw: RawEvent = { id: entry[0], type: '', traceParent: '', json: '' };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = String(fields[i + 1]);
    if (fields[i] === 't') raw.type = value;
    else if (fields[i] === 'p') raw.traceParent = value;
    else if (fields[i] === 'd') raw.json = value;
  }
  return raw.type ? raw : undefined;
}

/** The event with its data checked by the type's schema, or why not. */
export function decodeEvent<S extends EventSchemas>(
  schemas: S,
  raw: RawEvent,
): { ok: true; event: FeedEvent<S> } | { ok: false; reason: 'unknown_type' | 'invalid_data' } {
  const schema = Object.hasOwn(schemas, raw.type) ? schemas[raw.type] : undefined;
  if (!schema) return { ok: false, reason: 'unknown_type' };
  let data: unknown;
  try {
    data = JSON.parse(raw.json);
  } catch {
    return { ok: false, reason: 'invalid_data' };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: 'invalid_data' };
  const event = { id: raw.id, type: raw.type, data: parsed.data, publishedAt: streamIdTime(raw.id) };
  return { ok: true, event: event as FeedEvent<S> };
}
