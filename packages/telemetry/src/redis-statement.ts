// The `db.query.text` of every Redis span. Traces are shipped to a trace store with
// weaker access control than Redis itself, so they carry the command and the shape
// of the first key only: never values, session ids, tokens, emails or user ids.

/** Commands whose arguments are credentials or may carry them: only the name is shown. */
const NAME_ONLY = new Set(['auth', 'hello', 'migrate', 'echo', 'ping']);

/** Commands whose first argument is a subcommand keyword, not a key; later arguments are never shown. */
const SUBCOMMAND = new Set([
  'acl',
  'client',
  'cluster',
  'command',
  'config',
  'debug',
  'function',
  'info',
  'latency',
  'memory',
  'module',
  'object',
  'pubsub',
  'script',
  'slowlog',
  'xgroup',
  'xinfo',
]);

/** Script commands: `EVAL script numkeys key...`; the script/sha is not shown, the first key is. */
const SCRIPT_CALL = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Keys longer than this many segments are cut (the rest is shape noise). */
const MAX_SEGMENTS = 8;

/**
 * Serializer for the ioredis instrumentation: `SET rnh:sess:abc123 {...}` becomes
 * `set rnh:sess:?`, `GET rnh:cache:users:profile:42` becomes `get rnh:cache:users:profile:?`.
 */
export function redisStatementSerializer(commandName: string, args: unknown[]): string {
  const name = String(commandName).toLowerCase();
  if (NAME_ONLY.has(name) || args.length === 0) return name;
  if (SUBCOMMAND.has(name)) {
    const sub = args[0];
    return typeof sub === 'string' && /^[a-z][a-z-]{0,23}$/i.test(sub)
      ? `${name} ${sub.toLowerCase()}`
      : name;
  }
  if (SCRIPT_CALL.has(name)) {
    const numKeys = Number(toText(args[1]));
    return Number.isInteger(numKeys) && numKeys > 0 && args.length > 2
      ? `${name} ${redactKey(args[2])}`
      : name;
  }
  return `${name} ${redactKey(args[0])}`;
}

/** Keeps the constant domain words of a key and replaces the last segment and anything id-like with `?`. */
export function redactKey(key: unknown): string {
  const text = toText(key);
  if (text === undefined || text === '') return '?';
  const segments = text.split(':');
  const shown = segments
    .slice(0, MAX_SEGMENTS)
    .map((segment, index) =>
      index === segments.length - 1 ? redactSegment(segment, true) : redactSegment(segment, false),
    );
  if (segments.length > MAX_SEGMENTS) shown.push('…');
  return shown.join(':');
}

/** Hash tags (`{user:?}`) keep their braces so the slot grouping stays visible. */
function redactSegment(segment: string, last: boolean): string {
  const open = segment.startsWith('{') ? '{' : '';
  const close = segment.endsWith('}') && segment.length > open.length ? '}' : '';
  const core = segment.slice(open.length, segment.length - close.length);
  return `${open}${!last && isDomainWord(core) ? core : '?'}${close}`;
}

/**
 * A short lowercase word such as `rnh`, `cache`, `sess`, `rate-limit`. Digits, capitals,
 * dots, `@`, and long hex runs are what ids, tokens, emails and hashes look like.
 */
function isDomainWord(segment: string): boolean {
  if (segment === '') return true; // `a::b` shows its shape, reveals nothing
  if (!/^[a-z][a-z_-]{0,23}$/.test(segment)) return false;
  return !/^[a-f]{8,}$/.test(segment);
}

/** ioredis passes strings, numbers and Buffers; a binary key is never decoded into a trace. */
function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
