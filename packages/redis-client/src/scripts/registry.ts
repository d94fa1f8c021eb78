import { isCluster } from '../connection/client-info.js';
import { RedisScriptError } from '../errors.js';
import type { RedisClient, ScriptDefinition } from '../types.js';
import { RedisScript } from './script.js';

/** Scripts are defined once, by name, at composition time; `loadAll` preloads them (optional: run() falls back). */
export class ScriptRegistry {
  private readonly scripts = new Map<string, RedisScript>();

  /** Defining the same name twice is fine with the same body and an error with a different one. */
  define(def: ScriptDefinition): RedisScript {
    const existing = this.scripts.get(def.name);
    const script = new RedisScript(def);
    if (existing) {
      if (existing.sha === script.sha && existing.keys === script.keys) return existing;
      throw new RedisScriptError(
        'REDIS_SCRIPT_CONFLICT',
        `script "${def.name}" is already defined with a different body or key count`,
      );
    }
    this.scripts.set(def.name, script);
    return script;
  }

  get(name: string): RedisScript {
    const script = this.scripts.get(name);
    if (!script) throw new RedisScriptError('REDIS_SCRIPT_UNKNOWN', `no script named "${name}" is defined`);
    return script;
  }

  list(): RedisScript[] {
    return [...this.scripts.values()];
  }

  /** SCRIPT LOAD every script on the server, or on every master of a cluster. */
  async loadAll(client: RedisClient): Promise<void> {
    const targets = isCluster(client) ? client.nodes('master') : [client];
    await Promise.all(
      targets.flatMap((target) => this.list().map((script) => target.script('LOAD', script.lua))),
    );
  }
}
