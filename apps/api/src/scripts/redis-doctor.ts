// `pnpm redis:doctor`: checks the Redis the api is configured for and reports risky settings.
// First: the .env files' values must be in process.env before config.ts reads it.
import '../env-files.js';
import { formatDoctorReport, runRedisDoctor } from '@rnh/redis-client';
import { ConfigError, loadConfig } from '../config.js';

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
