// The probe against a real redis-server: commands run by a client, and inside its scripts, are
// counted once each, and the probe's own INFO calls are not.
import { useRedisServer } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDelta, totalCalls } from './commandstats.js';
import { RedisProbe } from './probe.js';

const redis = useRedisServer();
let probe: RedisProbe;

beforeAll(async () => {
  probe = await new RedisProbe(redis.server.host, redis.server.port).connect();
});
afterAll(() => probe.close());

describe('RedisProbe', () => {
  it('counts the commands a client ran between two snapshots, those of its scripts included', async () => {
    const sha = String(
      await redis.admin.script('LOAD', "redis.call('SET', KEYS[1], 'v'); return redis.call('GET', KEYS[1])"),
    );
    const first = await probe.snapshot();
    for (let i = 0; i < 5; i++) await redis.admin.get(`plain:${i}`);
    for (let i = 0; i < 3; i++) await redis.admin.evalsha(sha, 1, `scripted:${i}`);
    await probe.version(); // an INFO of the probe's own, in between
    const last = await probe.snapshot();
    const delta = commandDelta(first, last);
    expect(Object.fromEntries(delta)).toEqual({ get: 8, evalsha: 3, set: 3 });
    expect(totalCalls(delta)).toBe(14);
  });

  it('counts nothing when nothing ran but its own INFO calls', async () => {
    const first = await probe.snapshot();
    await probe.snapshot();
    const last = await probe.snapshot();
    expect(commandDelta(first, last).size).toBe(0);
  });

  it("keeps another client's INFO", async () => {
    const first = await probe.snapshot();
    await redis.admin.info('server');
    const last = await probe.snapshot();
    expect(Object.fromEntries(commandDelta(first, last))).toEqual({ info: 1 });
  });
});
