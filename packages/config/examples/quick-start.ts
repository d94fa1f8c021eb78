import { ConfigError, logLevel, milliseconds, parseEnv, port, rateRule } from '@rnh/config';
import { z } from 'zod';

// Every variable the app reads, with its default; each schema's message names its variable.
const schema = z.object({
  PORT: port('PORT', 3000),
  REQUEST_TIMEOUT_MS: milliseconds('REQUEST_TIMEOUT_MS', 5000),
  LOGIN_LIMIT: rateRule('LOGIN_LIMIT', '5/15m'), // -> { limit: 5, windowMs: 900000 }
  LOG_LEVEL: logLevel(),
});

const config = parseEnv(schema, process.env);
console.log(config.PORT, config.REQUEST_TIMEOUT_MS, config.LOGIN_LIMIT, config.LOG_LEVEL);

// A bad environment is one ConfigError naming every bad variable (an app lets it stop the start).
try {
  parseEnv(schema, { PORT: 'http', LOGIN_LIMIT: 'lots' });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.log(error.message);
}
