// Shared Vitest settings for every package and app.
// Integration tests start real redis-server processes, so they get generous
// hook timeouts; nothing here asserts wall-clock speed.
import { defineConfig } from 'vitest/config';

export function packageConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
      hookTimeout: 30_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
