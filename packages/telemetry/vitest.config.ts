import { packageConfig } from '@rnh/vitest-config';

// The end-to-end test runs the compiled package in child processes; see test/global-setup.ts.
export default packageConfig({ globalSetup: ['test/global-setup.ts'] });
