// Schemas for common variables. Each message names the variable and the expected form.
import { z } from 'zod';

export const port = (name: string, fallback: number) => {
  const message = `${name} must be a port number 1-65535`;
  return z.coerce
    .number({ error: message })
    .int(message)
    .min(1, message)
    .max(65535, message)
    .default(fallback);
};

export const milliseconds = (name: string, fallback: number) => {
  const message = `${name} must be a whole number of milliseconds`;
  return z.coerce.number({ error: message }).int(message).positive(message).default(fallback);
};

export const booleanFlag = (name: string, fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: `${name} must be true or false` })
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value));

export const nodeEnv = () =>
  z
    .enum(['development', 'production', 'test'], {
      error: 'NODE_ENV must be development, production or test',
    })
    .default('development')
    .describe(
      '`development`, `production` (enforces the production requirements) or `test` (then no .env file is read)',
    );

export const logLevel = () =>
  z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info')
    .describe('`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`');

export const logPretty = () =>
  booleanFlag('LOG_PRETTY', false).describe(
    'human-readable logs (pino-pretty) instead of JSON lines; `pnpm dev` turns it on',
  );

/** `OTEL_SERVICE_NAME`, read by the app as well as the SDK: its logs carry the same name. */
export const serviceName = (fallback: string) =>
  z
    .string()
    .min(1, 'OTEL_SERVICE_NAME must not be empty')
    .default(fallback)
    .describe('service name on traces and logs');

export const seconds = (name: string, fallback: number) => {
  const message = `${name} must be a whole number of seconds`;
  return z.coerce.number({ error: message }).int(message).positive(message).default(fallback);
};

/** A whole number >= 0 (sizes and counts; 0 often means "off"). */
export const count = (name: string, fallback: number) => {
  const message = `${name} must be a whole number, 0 or more`;
  return z.coerce.number({ error: message }).int(message).min(0, message).default(fallback);
};

/** A number from 0 to 1. */
export const fraction = (name: string, fallback: number) => {
  const message = `${name} must be a number from 0 to 1`;
  return z.coerce.number({ error: message }).min(0, message).max(1, message).default(fallback);
};

export interface RateRule {
  limit: number;
  windowMs: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_PER_MS = 1000;

/** `<count>/<duration>` such as `100/15m` (units s, m, h, d) -> `{ limit, windowMs }`; `off` -> undefined. */
export const rateRule = (name: string, fallback: string) => {
  const message = `${name} must look like 100/15m (a count per 30s, 15m, 1h or 1d), or off`;
  return z
    .string()
    .default(fallback)
    .transform((value, ctx): RateRule | undefined => {
      if (value.trim().toLowerCase() === 'off') return undefined;
      const match = /^\s*(\d+)\s*\/\s*(\d+)?\s*([smhd])\s*$/.exec(value);
      const limit = Number(match?.[1]);
      const windowMs = Number(match?.[2] ?? 1) * (UNIT_MS[match?.[3] ?? ''] ?? NaN);
      if (!match || !Number.isSafeInteger(limit) || limit < 1 || !(windowMs > 0)) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      // The limiters count in whole units per millisecond at most (finer is no limit at all).
      if (limit > windowMs * MAX_PER_MS) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} allows at most ${MAX_PER_MS} per millisecond of its window (${windowMs * MAX_PER_MS} for ${value.trim()}); use off for no limit`,
        });
        return z.NEVER;
      }
      return { limit, windowMs };
    });
};
