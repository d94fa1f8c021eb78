export { ConfigError } from './errors.js';
export { parseEnv } from './parse-env.js';
export type { EnvSource } from './parse-env.js';
export {
  booleanFlag,
  count,
  fraction,
  logLevel,
  logPretty,
  milliseconds,
  nodeEnv,
  port,
  rateRule,
  seconds,
  serviceName,
} from './schemas.js';
export type { RateRule } from './schemas.js';
export { envFilesOf, loadEnvFiles } from './env-files.js';
export { envVariables } from './env-variables.js';
export type { EnvVariable } from './env-variables.js';
