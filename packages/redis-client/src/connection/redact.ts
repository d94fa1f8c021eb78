import type { RedisOptions } from '../types.js';

const SECRET_COMMANDS = new Set(['auth', 'hello', 'migrate']);
const REDACTED = '[redacted]';

/**
 * ioredis attaches `command: { name, args }` to reply errors, so a failed AUTH
 * carries the password. Blank the args in place before anything logs or wraps it.
 */
export function redactErrorSecrets<T>(error: T): T {
  const command = (error as { command?: { name?: unknown; args?: unknown } } | null)?.command;
  if (command && typeof command.name === 'string' && SECRET_COMMANDS.has(command.name.toLowerCase())) {
    command.args = [REDACTED];
  }
  const lastNodeError = (error as { lastNodeError?: unknown } | null)?.lastNodeError;
  if (lastNodeError) redactErrorSecrets(lastNodeError);
  return error;
}

/**
 * A log-safe summary: no command arguments. Logged under `error`, not `err`:
 * pino's err serializer would rewrite a plain object's `type` to "Object".
 */
export function safeErrorFields(error: unknown): { type: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  redactErrorSecrets(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string'
    ? { type: error.name, message: error.message, code }
    : { type: error.name, message: error.message };
}

/**
 * The options as they may be logged or shown: the password and the TLS key and certificates
 * replaced by `[redacted]` (whether each is set still shows). Log this, never the options.
 */
export function redactRedisOptions(options: RedisOptions): RedisOptions {
  const safe: RedisOptions = { ...options };
  if (safe.password !== undefined) safe.password = REDACTED;
  if (typeof safe.tls === 'object') {
    const tls = { ...safe.tls };
    for (const field of ['ca', 'cert', 'key'] as const) if (tls[field] !== undefined) tls[field] = REDACTED;
    safe.tls = tls;
  }
  return safe;
}
