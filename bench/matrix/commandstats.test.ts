import { describe, expect, it } from 'vitest';
import {
  commandDelta,
  parseCommandStats,
  parseCpuSeconds,
  totalCalls,
  type ServerSnapshot,
} from './commandstats.js';

// What redis-server 7.0 answers to INFO cpu commandstats (abridged).
const INFO = `# CPU\r
used_cpu_sys:1.250000\r
used_cpu_user:2.500000\r
used_cpu_sys_children:0.000000\r
used_cpu_user_children:0.000000\r
used_cpu_sys_main_thread:1.200000\r
used_cpu_user_main_thread:2.400000\r
\r
# Commandstats\r
cmdstat_get:calls=4000,usec=9349,usec_per_call=2.34,rejected_calls=0,failed_calls=0\r
cmdstat_evalsha:calls=2000,usec=14487,usec_per_call=7.24,rejected_calls=0,failed_calls=0\r
cmdstat_script|load:calls=1,usec=148,usec_per_call=148.00,rejected_calls=0,failed_calls=0\r
cmdstat_info:calls=3,usec=300,usec_per_call=100.00,rejected_calls=0,failed_calls=0\r
`;

function snapshot(
  commands: Record<string, number>,
  ownInfoCallsBefore: number,
  cpuSeconds = 0,
): ServerSnapshot {
  return { commands: new Map(Object.entries(commands)), cpuSeconds, ownInfoCallsBefore };
}

describe('parseCommandStats', () => {
  it('reads the calls of every command, subcommands included', () => {
    expect(parseCommandStats(INFO)).toEqual(
      new Map([
        ['get', 4000],
        ['evalsha', 2000],
        ['script|load', 1],
        ['info', 3],
      ]),
    );
  });

  it('is empty for a server that ran nothing', () => {
    expect(parseCommandStats('# Commandstats\r\n').size).toBe(0);
  });
});

describe('parseCpuSeconds', () => {
  it("takes the main thread's CPU", () => {
    expect(parseCpuSeconds(INFO)).toBeCloseTo(3.6, 9);
  });

  it('falls back to the whole process on servers without main-thread figures', () => {
    expect(parseCpuSeconds('used_cpu_sys:1.5\r\nused_cpu_user:2.0\r\n')).toBeCloseTo(3.5, 9);
  });
});

describe('commandDelta', () => {
  it('counts what ran between two snapshots, inner script commands included', () => {
    // 10 EVALSHA, each running GET and SET inside the script, and 5 plain GETs.
    const before = snapshot({ get: 100, evalsha: 7, info: 4 }, 4);
    const after = snapshot({ get: 115, evalsha: 17, set: 10, info: 5 }, 5);
    const delta = commandDelta(before, after);
    expect(delta).toEqual(
      new Map([
        ['get', 15],
        ['evalsha', 10],
        ['set', 10],
      ]),
    );
    expect(totalCalls(delta)).toBe(35);
  });

  it("subtracts the probe's own INFO calls but keeps everyone else's", () => {
    // The probe's `before` INFO is in `after`; one more INFO came from a client under test.
    const before = snapshot({ info: 10 }, 10);
    const after = snapshot({ info: 12 }, 11);
    expect(commandDelta(before, after)).toEqual(new Map([['info', 1]]));
  });

  it('subtracts every INFO the probe made in between (e.g. a version check)', () => {
    const before = snapshot({ info: 2, get: 1 }, 2);
    const after = snapshot({ info: 5, get: 2 }, 5);
    expect(commandDelta(before, after)).toEqual(new Map([['get', 1]]));
  });
});
