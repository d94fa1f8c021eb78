import type { z } from 'zod';
import { ConfigError } from './errors.js';

export type EnvSource = Record<string, string | undefined>;

/**
 * Validates `env` against `schema` and runs each extra parser (such as
 * `redisOptionsFromEnv`), collecting every problem into one ConfigError so a
 * user fixes them all in one go instead of one per restart.
 */
export function parseEnv<Schema extends z.ZodType, Extra extends Record<string, (env: EnvSource) => unknown>>(
  schema: Schema,
  env: EnvSource,
  extra: Extra = {} as Extra,
): z.output<Schema> & { [K in keyof Extra]: ReturnType<Extra[K]> } {
  const problems: string[] = [];
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '');
      const got = env[variable];
      problems.push(got === undefined ? issue.message : `${issue.message} (got "${got}")`);
    }
  }
  const extras: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(extra)) {
    try {
      extras[name] = parse(env);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...(parsed.data as object), ...extras } as z.output<Schema> & {
    [K in keyof Extra]: ReturnType<Extra[K]>;
  };
}
