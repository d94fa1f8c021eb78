// Redis commands per operation from `INFO commandstats` (which counts the commands a Lua
// script runs, each under its own name, besides the EVALSHA itself), and server CPU from
// `INFO cpu`, both read in one INFO call before and after a measurement.

/** What one `INFO cpu commandstats` answered. */
export interface ServerSnapshot {
  /** Calls per command (lower case; subcommands as `client|setname`). */
  commands: ReadonlyMap<string, number>;
  /** CPU seconds of the server's main thread (or the whole process on servers that lack it). */
  cpuSeconds: number;
  /** INFO calls the probe itself had made before this one (they are in `commands`, this one is not). */
  ownInfoCallsBefore: number;
}

/** `cmdstat_get:calls=10,usec=...` lines -> Map { get => 10 }. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:\s]+):calls=(\d+)/gm))
    calls.set(match[1]!.toLowerCase(), Number(match[2]));
  return calls;
}

/** CPU seconds of the main thread from INFO cpu (the whole process on servers before 6.2). */
export function parseCpuSeconds(info: string): number {
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const main = field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
  return Number.isNaN(main) ? field('used_cpu_user') + field('used_cpu_sys') : main;
}

/**
 * Commands the server ran between two snapshots, per command, without the probe's own INFO
 * calls: Redis counts a command once it has run, so `after` includes every INFO the probe made
 * before it (the `before` one among them) but not itself.
 */
export function commandDelta(before: ServerSnapshot, after: ServerSnapshot): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [command, calls] of after.commands) {
    const ran = calls - (before.commands.get(command) ?? 0);
    if (ran > 0) delta.set(command, ran);
  }
  const own = after.ownInfoCallsBefore - before.ownInfoCallsBefore;
  const info = (delta.get('info') ?? 0) - own;
  if (info > 0) delta.set('info', info);
  else delta.delete('info');
  return delta;
}

/** Sum of a delta's calls. */
export function totalCalls(delta: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const calls of delta.values()) total += calls;
  return total;
}
