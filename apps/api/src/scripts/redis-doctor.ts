// `npm run redis:doctor`: checks the Redis the api is configured for and reports risky settings.
// First: the .env files' values must be in process.env before config.ts reads it.
import '../env-files.js';
import { formatDoctorReport, runRedisDoctor } from '@rnh/redis-client';
import { ConfigError, loadConfig } from '../config.js';
import { checkFlags } from './flags.js';

checkFlags(
  'redis:doctor',
  `Usage: npm run redis:doctor

Connects to the Redis the api is configured for (REDIS_URL, or REDIS_HOST, REDIS_PORT, ...),
runs PING and reports risky settings. Exit code 0 when no check failed (warnings allowed),
1 when one did, 2 when the configuration itself is wrong.`,
);

try {
  const config = loadConfig();
  const report = await runRedisDoctor(config.redis, { production: config.nodeEnv === 'production' });
  process.stdout.write(`${formatDoctorReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
