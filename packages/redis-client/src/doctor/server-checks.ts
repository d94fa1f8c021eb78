import type { DoctorCheck, DoctorServerInfo } from '../types.js';
import { formatBytes, ok, versionAtLeast, warn } from './checks.js';

export interface ServerFacts extends DoctorServerInfo {
  /** false when CONFIG GET was refused (managed Redis, ACL): RDB state unknown. */
  configReadable: boolean;
}

/** Advice from what the server told us; warnings only, as the app can still run. */
export function serverChecks(facts: ServerFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const summary = `Redis ${facts.version} (${facts.mode}, role ${facts.role})`;
  if (facts.role !== 'master') {
    checks.push(
      warn(
        'server',
        `${summary}: this is a replica, writes will fail with READONLY; point the app at the master`,
      ),
    );
  } else if (!versionAtLeast(facts.version, 6, 2)) {
    checks.push(warn('server', `${summary}: BullMQ and ACL users need Redis 6.2 or newer`));
  } else {
    checks.push(ok('server', summary));
  }

  checks.push(
    facts.maxMemoryBytes === 0
      ? warn(
          'maxmemory',
          `maxmemory is 0 (no limit, ${formatBytes(facts.usedMemoryBytes)} used): Redis grows until the host runs out of memory and the OOM killer stops it; set maxmemory to about 75% of the memory it may use`,
        )
      : ok(
          'maxmemory',
          `maxmemory ${formatBytes(facts.maxMemoryBytes)} (${formatBytes(facts.usedMemoryBytes)} used, ${Math.round((facts.usedMemoryBytes / facts.maxMemoryBytes) * 100)}%)`,
        ),
  );

  checks.push(
    facts.evictionPolicy === 'noeviction'
      ? ok(
          'eviction-policy',
          'maxmemory-policy noeviction: a full Redis rejects writes instead of deleting keys',
        )
      : warn(
          'eviction-policy',
          `maxmemory-policy is ${facts.evictionPolicy}: when memory is full Redis deletes keys to make room, including BullMQ job and queue keys, sessions and rate-limit counters, so jobs can vanish without an error; BullMQ requires noeviction (give the cache its own Redis if it needs eviction)`,
        ),
  );

  const rdb = facts.configReadable ? (facts.rdb ? 'on' : 'off') : 'unknown';
  const state = `RDB ${rdb}, AOF ${facts.aof ? 'on' : 'off'}`;
  if (facts.aof || facts.rdb) checks.push(ok('persistence', state));
  else {
    checks.push(
      warn(
        'persistence',
        `${state}: a restart or crash loses queued jobs, sessions and refresh tokens; enable appendonly yes (or RDB snapshots with save)`,
      ),
    );
  }

  if (!facts.configReadable) {
    checks.push(
      warn(
        'config',
        'CONFIG GET is not allowed for this user (or disabled): eviction policy read from INFO, RDB snapshot settings unknown',
      ),
    );
  }
  return checks;
}
