// How an error appears in a log line: what failed and where, never the data it was handling.
//
// Database drivers hang the failed statement and its values on their errors: PGlite adds
// `query`, `params` and `queryOptions`; PostgreSQL (PGlite and node-postgres alike) puts the
// offending row in `detail` ("Key (email)=(ada@example.com) already exists."), bind values in
// `where` ("unnamed portal parameter $2 = '...'"), function bodies in `internalQuery`, and for
// data exceptions (SQLSTATE class 22) quotes the rejected input in the message itself
// (`invalid input syntax for type uuid: "ada@example.com"`). Other clients do the same under
// other names (ioredis's `command.args`, HTTP clients' `config` with its headers).
//
// So an error is copied, not passed through: its type, message, code, stack (when wanted) and
// the other plain fields it carries (numbers, booleans and strings, except those whose names
// say they hold a statement or data), then its cause chain the same way. Arrays and objects
// (bind parameters, rows, command arguments, request configs) are never copied, whatever
// their name.

/** Plain fields that drivers use for statements, values and rows: never copied. */
const DATA_FIELD =
  /query|sql|statement|param|value|arg|bind|detail|hint|where|row|body|payload|data|input|text|raw/i;
/** Fields the serializer writes itself. */
const OWN_FIELDS = new Set(['type', 'message', 'stack', 'cause', 'errors', 'aggregateErrors']);
/** A cause chain is followed this far (and never round a cycle). */
const MAX_DEPTH = 8;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
  [field: string]: unknown;
}

export interface ErrorSerializerOptions {
  /** Include stack traces (the first line carries the cleaned message). */
  stacks: boolean;
}

/** pino serializer: error-like values become a SerializedError; anything else is left as it is. */
export function errorSerializer(options: ErrorSerializerOptions): (value: unknown) => unknown {
  return (value) => (isErrorLike(value) ? serialize(value, options, new Set(), 0) : value);
}

/** The message to log for an error: PostgreSQL data exceptions lose the input they quote. */
export function safeErrorMessage(error: { message: string }): string {
  return isDataException(error) ? redactQuotedInput(error.message) : error.message;
}

/** As pino has it: anything with a string `message`. */
export function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}

function serialize(
  error: Error,
  options: ErrorSerializerOptions,
  seen: Set<unknown>,
  depth: number,
): SerializedError {
  seen.add(error);
  const message = safeErrorMessage(error);
  const out: SerializedError = { type: typeName(error), message };
  if (options.stacks && typeof error.stack === 'string')
    out.stack = message === error.message ? error.stack : cleanStack(error, message);

  for (const field of Object.keys(error)) {
    if (OWN_FIELDS.has(field) || DATA_FIELD.test(field)) continue;
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[field] = value;
  }

  const nested = (value: unknown) =>
    isErrorLike(value) && !seen.has(value) && depth < MAX_DEPTH
      ? serialize(value, options, seen, depth + 1)
      : undefined;
  const cause = nested(error.cause);
  if (cause) out.cause = cause;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    out.errors = errors.flatMap((item) => {
      const serialized = nested(item);
      return serialized ? [serialized] : [];
    });
  }
  return out;
}

function typeName(error: Error): string {
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' && constructorName !== 'Object' ? constructorName : error.name;
}

/** An error raised by PostgreSQL (either driver) for SQLSTATE class 22, data exception. */
function isDataException(error: { message: string }): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && typeof severity === 'string';
}

/**
 * `value "…" is out of range`, `invalid input syntax for type uuid: "…"`, `invalid byte sequence
 * for encoding "UTF8": 0x00`: everything from the first to the last double quote, and raw bytes.
 */
function redactQuotedInput(message: string): string {
  return message
    .replace(/".*"/s, '"[redacted]"')
    .replace(/0x[0-9a-f]{2}(?:\s+0x[0-9a-f]{2})*/gi, '[redacted]');
}

/** The stack's first line repeats the message: it gets the cleaned one, then the frames. */
function cleanStack(error: Error, message: string): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`${error.name}: ${message}`, ...frames].join('\n');
}
