import { packageConfig } from '@rnh/vitest-config';
import { configDefaults } from 'vitest/config';

/** Packs the packages and installs them into a project outside the workspace: runs apart. */
export const CONSUMER_TEST = 'test/outside-consumer.test.ts';

// Each test works on its own copy of the repository and runs installs and builds in it:
// one file at a time, with the generous limits of a busy 2-core machine.
export const E2E_LIMITS = { fileParallelism: false, testTimeout: 600_000, hookTimeout: 600_000 };

// The outside-consumer test needs the npm registry and takes minutes: `pnpm test:consumer`
// (vitest.consumer.config.ts) runs it, not `pnpm test`.
export default packageConfig({ ...E2E_LIMITS, exclude: [...configDefaults.exclude, CONSUMER_TEST] });
