import {
  RedisScript,
  type RedisClient,
  type ScriptArg,
  type ScriptDefinition,
  type ScriptRegistry,
} from '@rnh/redis-client';

/** A script from the app's registry when one is given (so `loadAll` preloads it), else a standalone one. */
export function defineScript(def: ScriptDefinition, registry?: ScriptRegistry): RedisScript {
  return registry ? registry.define(def) : new RedisScript(def);
}

/** Runs a script: EVALSHA, and EVAL once on NOSCRIPT (Cluster-safe: see createRedis). */
export function runScript(
  script: RedisScript,
  client: RedisClient,
  keys: string[],
  args: ScriptArg[],
): Promise<unknown> {
  return script.run(client, keys, args);
}
