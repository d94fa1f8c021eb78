import { redisOptionsFromEnv } from '../config/from-env.js';
import { describeTarget } from '../config/describe.js';
import { RedisConfigError } from '../errors.js';
import type { RedisOptions } from '../types.js';
import { runRedisDoctor } from './doctor.js';
import { formatDoctorReport } from './format.js';

/**
 * `pnpm redis:doctor`: the app script passes `process.env` and a writer.
 * Exit codes: 0 ok (warnings allowed), 1 a check failed, 2 bad configuration.
 */
export async function main(
  env: Record<string, string | undefined>,
  write: (line: string) => void,
): Promise<number> {
  let options: RedisOptions;
  try {
    options = redisOptionsFromEnv(env);
  } catch (error) {
    if (!(error instanceof RedisConfigError)) throw error;
    write(`✗ ${error.message}`);
    return 2;
  }
  const production = env.NODE_ENV === 'production';
  write(
    `Checking Redis at ${describeTarget(options)} (key prefix "${options.keyPrefix}"${production ? ', production' : ''})`,
  );
  const report = await runRedisDoctor(options, { production });
  for (const line of formatDoctorReport(report).split('\n')) write(line);
  return report.ok ? 0 : 1;
}
