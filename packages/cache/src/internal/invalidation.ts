import type { Invalidation } from './bus.js';
import type { Core } from './core.js';
import type { L1 } from './l1.js';

/** Drops the L1 copies an invalidation names; runs for messages from other processes (the bus). */
export function applyInvalidation(l1: L1, message: Invalidation): void {
  for (const key of message.keys ?? []) l1.delete(key);
  if (message.tag !== undefined) dropTag(l1, message.tag);
  const prefix = message.prefix;
  if (prefix) l1.deleteWhere((key) => key.startsWith(prefix));
}

/**
 * Invalidates every entry written with `tag` (already checked): this process's L1 copies at once,
 * then the tag's token key in Redis, then the other processes' L1 copies through the bus.
 * Rejects with CacheUnavailableError when Redis fails.
 */
export async function invalidateTagNow(core: Core, cache: string, tag: string): Promise<void> {
  dropTag(core.l1, tag);
  const tagKey = core.tagKeys.key(tag);
  await core.l2.call(cache, 'invalidate_tag', (redis) => redis.unlink(tagKey));
  core.metrics.invalidations.inc({ cache, kind: 'tag' });
  await publishInvalidation(core, cache, { tag });
}

export function dropTag(l1: L1 | undefined, tag: string): void {
  l1?.deleteWhere((_key, entry) => entry.tags.includes(tag));
}

/**
 * Tells other processes to drop their L1 copies. A failure is counted and logged
 * by L2, not thrown: the write it follows has happened, and the other L1s still
 * drop the copy when their short TTL ends.
 */
export async function publishInvalidation(core: Core, cache: string, message: Invalidation): Promise<void> {
  const { bus, l2 } = core;
  if (!bus) return;
  await l2
    .call(cache, 'publish', (redis) => redis.publish(bus.channel, bus.encode(message)))
    .catch(() => undefined);
}
