// What latest.json says about where and with what it ran: the machine, the commit, the versions.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MatrixResults } from './results.js';

/** Ours and the peers, whose versions every result depends on. */
const PACKAGES = [
  '@rnh/cache',
  '@rnh/ratelimit',
  '@rnh/queue',
  '@rnh/redis-client',
  '@rnh/telemetry',
  'ioredis',
  'bentocache',
  'cache-manager',
  '@keyv/redis',
  'keyv',
  'rate-limiter-flexible',
  'express-rate-limit',
  'rate-limit-redis',
  'express',
  'bullmq',
  '@opentelemetry/sdk-trace-base',
  'prom-client',
];

export function machine(): MatrixResults['machine'] {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown',
    cores: cores.length,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    platform: platform(),
    arch: arch(),
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
  };
}

/** The version in the package.json of an installed package (found from its entry point upwards). */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === name) return json.version ?? 'unknown';
      }
      const parent = dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  } catch {
    return 'not installed';
  }
}

export function packageVersions(): Record<string, string> {
  return Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)]));
}

/** `abc1234`, with `+dirty` when the work tree has uncommitted changes. */
export function commit(): string {
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}
