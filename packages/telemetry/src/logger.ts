// The pino logger the apps inject everywhere: JSON lines that carry the active trace's
// ids (so a log line leads to its trace) and never carry credentials, nor the values a
// failed database statement was handling (see error-serializer.ts).
import { createRequire } from 'node:module';
import { pino, type LoggerOptions } from 'pino';
import { errorSerializer, isErrorLike, safeErrorMessage } from './error-serializer.js';
import { traceLogFields } from './trace-context.js';
import type { CreateLoggerOptions, Logger } from './types.js';

const SECRET_FIELDS = [
  'password',
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'accessToken',
  'refreshToken',
];

/**
 * Redacted wherever they appear at the top level or up to two objects deep
 * (`{ password }`, `{ user: { password } }`, `{ req: { headers: { cookie } } }`).
 */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*')];
});

/** Keys under which errors are logged: pino's own `err`, and `error`. */
const ERROR_KEYS = ['err', 'error'];

export function createLogger(options: CreateLoggerOptions): Logger {
  const serializeError = errorSerializer({ stacks: options.errorStacks ?? true });
  const config: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    mixin: traceLogFields,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: Object.fromEntries(ERROR_KEYS.map((key) => [key, serializeError])),
    hooks: {
      // pino takes the line's `msg` from the error of `logger.error(err)` and `logger.error({ err })`:
      // give it the cleaned message instead.
      logMethod(args, method) {
        const [first] = args;
        if (args.length !== 1) return method.apply(this, args);
        if (first instanceof Error) return method.call(this, { err: first }, safeErrorMessage(first));
        const err = (first as { err?: unknown } | null)?.err;
        if (isErrorLike(err)) return method.call(this, first, safeErrorMessage(err));
        return method.apply(this, args);
      },
    },
  };
  if (options.destination) return pino(config, options.destination);
  if (options.pretty) {
    const target = resolvePretty();
    if (target) return pino({ ...config, transport: { target, options: { colorize: true } } });
    const logger = pino(config);
    logger.warn('pretty logs need the pino-pretty package; writing JSON lines instead');
    return logger;
  }
  return pino(config);
}

/** pino-pretty is an optional development dependency of the app, not of this package. */
function resolvePretty(): string | undefined {
  for (const base of [`${process.cwd()}/package.json`, import.meta.url]) {
    try {
      return createRequire(base).resolve('pino-pretty');
    } catch {
      // not installed there
    }
  }
  return undefined;
}
