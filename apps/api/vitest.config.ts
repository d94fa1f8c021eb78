import { packageConfig } from '@rnh/vitest-config';
import { configDefaults } from 'vitest/config';

// End-to-end tests start real api and worker processes (and Redis, PGlite, sometimes two apis):
// on a busy 2-core machine that takes far longer than on an idle one. These are the tests' own
// margins; nothing here asserts speed. The fault tests (test/faults) run in
// `npm run test:topologies`, with vitest.faults.config.ts.
export default packageConfig({
  testTimeout: 90_000,
  hookTimeout: 180_000,
  exclude: [...configDefaults.exclude, 'test/faults/**'],
});
