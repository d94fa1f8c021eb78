// The maintenance queue's handlers: prune what Redis would otherwise keep forever. Each run walks
// the keyspace with SCAN in bounded steps until the cursor comes back empty, stopping early when
// the worker shuts down (the next hourly run starts over).
import type { MaintenanceJobs } from '@rnh/jobs';
import type { JobContext, JobHandlers } from '@rnh/queue';
import type { OneTimeTokens, PruneOptions, PruneResult, RefreshTokens, SessionIndex } from '@rnh/sessions';

interface Prunable {
  prune(options?: PruneOptions): Promise<PruneResult>;
}

/** Keys per prune call: small steps, so one job never holds the worker long. */
const KEYS_PER_STEP = 1000;

export function maintenanceHandlers(deps: {
  sessionIndex: SessionIndex;
  oneTimeTokens: OneTimeTokens;
  refreshTokens: RefreshTokens;
}): JobHandlers<MaintenanceJobs> {
  return {
    prune_session_index: (_payload, context) => pruneAll(deps.sessionIndex, 'session index', context),
    prune_token_subjects: async (_payload, context) => {
      await pruneAll(deps.oneTimeTokens, 'one-time tokens', context);
      await pruneAll(deps.refreshTokens, 'refresh tokens', context);
    },
  };
}

async function pruneAll(target: Prunable, what: string, { signal, logger }: JobContext): Promise<void> {
  const total = { scannedKeys: 0, prunedEntries: 0, removedKeys: 0 };
  let cursor: string | undefined;
  do {
    const step = await target.prune({ maxKeys: KEYS_PER_STEP, signal, ...(cursor ? { cursor } : {}) });
    total.scannedKeys += step.scannedKeys;
    total.prunedEntries += step.prunedEntries;
    total.removedKeys += step.removedKeys;
    cursor = step.cursor ?? undefined;
  } while (cursor && !signal.aborted);
  logger.info({ ...total, complete: !cursor }, `${what} pruned`);
}
