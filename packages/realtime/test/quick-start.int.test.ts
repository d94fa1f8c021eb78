import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { itOnStandalone, readmeExample, runExample, scanKeys, useRedis } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';

const redis = useRedis();
const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  // The example connects with `new Redis(REDIS_URL)`: one server.
  itOnStandalone(
    'runs against a real redis-server: the client receives the event over SSE and its user is online',
    async () => {
      const printed = await runExample(EXAMPLE, redis.server.url);
      expect(printed).toEqual(['notification {"text":"Your referral was accepted"}', 'ada online: true']);
      expect(await scanKeys(redis.admin, 'rnh:realtime:feed:*')).toEqual(['rnh:realtime:feed:{ada}']);
    },
  );
});
