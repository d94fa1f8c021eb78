import { packageConfig } from '@rnh/vitest-config';
import { CONSUMER_TEST, E2E_LIMITS } from './vitest.config.js';

// `pnpm test:consumer` (at the root: `npm run test:consumer`): the published packages as an
// outside project installs them.
export default packageConfig({ ...E2E_LIMITS, include: [CONSUMER_TEST] });
