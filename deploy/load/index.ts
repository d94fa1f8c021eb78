// The load generator behind `pnpm load`, as a library (the e2e test runs it in-process).
export { checkTarget, LoadTargetError, runLoad, type RunLoadHooks } from './run.js';
export {
  DEFAULT_LOAD_OPTIONS,
  LOAD_USAGE,
  LoadUsageError,
  parseLoadArgs,
  type LoadOptions,
} from './options.js';
export {
  formatProgress,
  formatSummary,
  LoadStats,
  outcomeOf,
  quantile,
  type LoadSummary,
  type Outcome,
  type ProgressSnapshot,
  type RouteStats,
} from './stats.js';
export { Scenario, type ScenarioOptions } from './scenario.js';
