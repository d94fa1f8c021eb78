// A Vitest setup file for the Cluster and Sentinel runs of `npm run test:topologies` (added by
// @rnh/vitest-config when TEST_REDIS_TOPOLOGY names one): a test in a file that does not use
// `useRedis()` never touches that topology, so it is reported as skipped there.
import { beforeEach } from 'vitest';
import { fileUsesTopology } from './use-redis.js';

beforeEach((context) => {
  if (!fileUsesTopology()) context.skip();
});
