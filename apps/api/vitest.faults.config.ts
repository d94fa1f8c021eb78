import { packageConfig } from '@rnh/vitest-config';

// Fault tests: Redis failing over or a process dying while the apps serve users. Each starts a
// topology of several Redis processes and both apps, so they run one file at a time.
export default packageConfig({
  include: ['test/faults/**/*.fault.test.ts'],
  testTimeout: 600_000,
  hookTimeout: 300_000,
  fileParallelism: false,
});
