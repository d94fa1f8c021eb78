// Shared Vitest settings for every package and app.
// Integration tests start real redis-server processes and clusters, so they get generous
// timeouts; nothing here asserts wall-clock speed.
import { defineConfig } from 'vitest/config';

// `npm run test:topologies` sets it for each run (the config reads it; packages never do).
const topology = process.env.TEST_REDIS_TOPOLOGY;

export function packageConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      // Margins for a busy 2-core machine (several suites at once, other work besides): a
      // limit only matters when something is slow, so a generous one costs nothing otherwise.
      testTimeout: 60_000,
      hookTimeout: 90_000,
      pool: 'forks',
      // The run's Redis topology, for useRedis() of @rnh/test-utils (which reads no environment).
      provide: { redisTopology: topology ?? 'standalone' },
      // On a Cluster or Sentinel run, files that do not use that topology report their tests as skipped.
      ...(topology && topology !== 'standalone' && { setupFiles: ['@rnh/test-utils/topology-setup'] }),
      ...overrides,
    },
  });
}
