import { describe, expect, it } from 'vitest';
import { cellReport } from './print.js';
import { renderResultsBlock } from './readme-table.js';
import { fixtureResults } from './readme-table.fixture.js';
import { summarizeBroadcasts, type BroadcastContender, type BroadcastRound } from './realtime-summary.js';
import type { CellResult } from './results.js';

/** A round whose deliveries all took `lag` ms, with `rss` bytes per client. */
function round(lag: number, rss: number, changes: Partial<BroadcastRound> = {}): BroadcastRound {
  return {
    lags: Array.from({ length: 200 }, () => lag),
    broadcasts: 2,
    missed: 0,
    closed: 0,
    rssBytesPerClient: rss,
    heapBytesPerClient: rss / 2,
    serverCpuMicros: 4000,
    redisCpuSeconds: 0.0002,
    commands: new Map([['publish', 2]]),
    driverCpuMicrosPerDelivery: 20,
    ...changes,
  };
}

function contender(id: string, rounds: BroadcastRound[]): BroadcastContender {
  return {
    id,
    label: id,
    role: id === 'peer' ? 'peer' : 'ours',
    websockets: 50,
    sse: 50,
    connectSeconds: 1,
    rounds,
  };
}

const COMPARISON = [{ ours: 'ours', peer: 'peer', lagP99AtMost: 1.0, memoryAtMost: 1.0 }];

describe('summarizeBroadcasts', () => {
  it('passes where ours is faster and smaller, judged on the median of the paired ratios', () => {
    const { ratios, targets } = summarizeBroadcasts(
      [
        contender('ours', [round(8, 10_000), round(30, 10_000), round(9, 10_000)]),
        contender('peer', [round(10, 20_000), round(20, 20_000), round(10, 20_000)]),
      ],
      COMPARISON,
    );
    const lag = ratios.find((r) => r.measure === 'lag p99')!;
    // Per round 0.8, 1.5, 0.9 (each within 1 % of the histogram's bucket): a bad round does not decide.
    expect(lag.median).toBeCloseTo(0.9, 1);
    expect(lag.perRound).toHaveLength(3);
    expect(targets.map((t) => [t.measure, t.verdict, t.atMost])).toEqual([
      ['lag p99', 'PASS', 1],
      ['RSS per client', 'PASS', 1],
    ]);
    expect(targets[1]!.value).toBe(0.5);
  });

  it('fails where ours is slower or bigger', () => {
    const { targets } = summarizeBroadcasts(
      [contender('ours', [round(20, 30_000)]), contender('peer', [round(10, 20_000)])],
      COMPARISON,
    );
    expect(targets.map((t) => t.verdict)).toEqual(['FAIL', 'FAIL']);
  });

  it('voids the targets when a delivery went missing or a client was dropped', () => {
    const { targets, contenders } = summarizeBroadcasts(
      [
        contender('ours', [round(5, 10_000, { missed: 3 })]),
        contender('peer', [round(10, 20_000, { closed: 1 })]),
      ],
      COMPARISON,
    );
    expect(targets.map((t) => t.verdict)).toEqual(['FAIL', 'FAIL']);
    expect(targets[0]!.note).toBe(
      'invalid: ours had 0 closed connections, 3 missed deliveries; peer had 1 closed connections, 0 missed deliveries',
    );
    expect(contenders[0]!.misses).toBe(3);
  });

  it('takes memory that went down with clients connected as not measured, never as a win', () => {
    const { targets } = summarizeBroadcasts(
      [contender('ours', [round(5, -4000)]), contender('peer', [round(10, 20_000)])],
      COMPARISON,
    );
    expect(targets[1]).toMatchObject({ value: null, verdict: 'FAIL' });
  });

  it('charges Redis commands and server CPU per broadcast, and keeps the memory per client', () => {
    const { contenders } = summarizeBroadcasts([contender('ours', [round(5, 10_000), round(5, 12_000)])], []);
    expect(contenders[0]).toMatchObject({
      opsPerSec: null,
      redisCommandsPerOp: 1,
      commandsPerOp: { publish: 1 },
      nodeCpuMicrosPerOp: 2000,
      ops: 400,
      extra: { clients: 100, broadcasts: 4, rssBytesPerClient: 11_000, serverCpuMicrosPerDelivery: 20 },
    });
  });
});

describe('a realtime cell in the output', () => {
  const { contenders, ratios, targets } = summarizeBroadcasts(
    [contender('ours', [round(8, 10_000)]), contender('peer', [round(10, 20_000)])],
    COMPARISON,
  );
  const cell: CellResult = {
    id: 'realtime/broadcast',
    section: 'realtime',
    title: 'broadcast',
    params: {},
    status: 'ok',
    contenders,
    ratios,
    targets,
    seconds: 1,
  };

  it('prints each ratio with its own measure and "at most" target', () => {
    const report = cellReport(cell);
    expect(report).toMatch(/ours \/ peer \(lag p99\): 0\.8\dx .* target <= 1\.0x PASS/);
    expect(report).toContain('ours / peer (RSS per client): 0.50x (0.50-0.50)  target <= 1.0x PASS');
  });

  it('gives each measure a row of the README table', () => {
    const block = renderResultsBlock({ ...fixtureResults(), cells: [cell] });
    const rows = block.split('\n').filter((line) => line.startsWith('| realtime/broadcast'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/\| ours vs peer, lag p99 +\| 0\.8\dx .*\| <= 1\.0x +\| PASS/);
    expect(rows[1]).toMatch(
      /\| ours vs peer, RSS per client +\| 0\.50x \(0\.50–0\.50\) .*\| <= 1\.0x +\| PASS/,
    );
    // Shown, not judged.
    expect(rows[2]).toMatch(/\| ours vs peer, heap per client +\| 0\.50x \(0\.50–0\.50\) .*\| - +\| - +\|$/);
  });
});
