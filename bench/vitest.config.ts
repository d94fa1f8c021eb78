import { packageConfig } from '@rnh/vitest-config';

// The matrix's pure parts (ratios, histograms, INFO parsing, the README table) and the probe
// against a real redis-server; the benchmarks themselves are run by hand, never by the tests.
export default packageConfig({ include: ['matrix/**/*.test.ts', 'lib/**/*.test.ts'] });
