import { packageConfig } from '@rnh/vitest-config';

// Each test works on its own copy of the repository and runs installs and builds in it:
// one file at a time, with the generous limits of a busy 2-core machine.
export default packageConfig({
  fileParallelism: false,
  testTimeout: 600_000,
  hookTimeout: 600_000,
});
