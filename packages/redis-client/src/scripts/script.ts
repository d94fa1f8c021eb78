import { createHash } from 'node:crypto';
import { RedisScriptError } from '../errors.js';
import type { RedisClient, ScriptDefinition } from '../types.js';

export type ScriptArg = string | number | Buffer;

/**
 * A Lua script run with EVALSHA. After a restart, failover or SCRIPT FLUSH the
 * server answers NOSCRIPT; we then send EVAL once, which runs the script and
 * caches it again, so later calls are back to EVALSHA (the body is not resent).
 */
export class RedisScript {
  readonly name: string;
  readonly lua: string;
  readonly keys: number;
  /** SHA1 of the body, computed here: the same id Redis gives it. */
  readonly sha: string;

  constructor(def: ScriptDefinition) {
    if (!Number.isInteger(def.keys) || def.keys < 0) {
      throw new RedisScriptError(
        'REDIS_INVALID_ARGUMENT',
        `script "${def.name}": keys must be an integer >= 0 (got ${def.keys})`,
      );
    }
    this.name = def.name;
    this.lua = def.lua;
    this.keys = def.keys;
    this.sha = createHash('sha1').update(def.lua).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: ScriptArg[]): Promise<unknown> {
    if (keys.length !== this.keys) {
      throw new RedisScriptError(
        'REDIS_INVALID_ARGUMENT',
        `script "${this.name}" takes ${this.keys} keys (got ${keys.length})`,
      );
    }
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
