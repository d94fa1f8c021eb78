// Root config for `pnpm test:watch`: every package and app in one watcher.
// CI runs each workspace's own config through `turbo run test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
