import type { Keyspace } from '@rnh/redis-client';
import type { NamedPolicy } from './policies.js';

/** Stands for the identifier while the key layout is worked out once. */
const MARK = '\u0001id\u0001';

/**
 * The Redis keys of one identifier tag, every policy's keys in order:
 * `<prefix><limiter>:{<tag>}:<policy>:<suffix>`, one hash tag for all (one Cluster slot).
 * Each key is `head + tag + tail`, both worked out once from the keyspace itself, so a
 * decision builds its keys without joining parts or checking the tag again (tags are
 * base64url digests or identifiers without braces). A keyspace whose keys do not contain
 * the tag exactly once is asked for every key instead.
 */
export function keyNames(
  keys: Keyspace,
  limiter: string,
  policies: readonly NamedPolicy[],
): (tag: string) => string[] {
  const layouts = policies.flatMap((policy) =>
    policy.keySuffixes.map((suffix) => ({ policy: policy.name, suffix })),
  );
  const build = (tag: string) =>
    layouts.map(({ policy, suffix }) => keys.key(limiter, keys.hashTag(tag), policy, suffix));
  const samples = build(MARK);
  const parts = samples.map((sample) => sample.split(MARK));
  if (parts.some((part) => part.length !== 2)) return build;
  const heads = parts.map((part) => part[0]!);
  const tails = parts.map((part) => part[1]!);
  if (heads.length === 1) {
    const [head, tail] = [heads[0]!, tails[0]!];
    return (tag) => [head + tag + tail];
  }
  return (tag) => {
    const names = new Array<string>(heads.length);
    for (let i = 0; i < heads.length; i += 1) names[i] = heads[i]! + tag + tails[i]!;
    return names;
  };
}
