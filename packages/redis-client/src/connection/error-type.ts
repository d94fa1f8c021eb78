/**
 * Maps an error to a bounded `error_type` label value: a known Redis reply
 * prefix (WRONGTYPE, NOSCRIPT, ...), or `timeout`, `connection`, `other`.
 * Unknown prefixes (a Lua script can invent any) become `other` to keep the
 * label set small.
 */
const REPLY_PREFIXES = new Set([
  'ERR',
  'WRONGTYPE',
  'NOSCRIPT',
  'READONLY',
  'MOVED',
  'ASK',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'CROSSSLOT',
  'LOADING',
  'BUSY',
  'BUSYKEY',
  'BUSYGROUP',
  'NOGROUP',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'OOM',
  'EXECABORT',
  'NOREPLICAS',
  'MASTERDOWN',
  'MISCONF',
  'NOTBUSY',
  'UNBLOCKED',
  'NOPROTO',
  'UNKILLABLE',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

export function classifyRedisError(error: unknown): string {
  if (!(error instanceof Error)) return 'other';
  if (error.name === 'ReplyError') {
    const prefix = /^([A-Z][A-Z_]+)/.exec(error.message)?.[1] ?? '';
    return REPLY_PREFIXES.has(prefix) ? prefix : 'other';
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(error.message)) return 'timeout';
  if (
    (typeof code === 'string' && CONNECTION_CODES.has(code)) ||
    ['AbortError', 'MaxRetriesPerRequestError', 'ClusterAllFailedError'].includes(error.name) ||
    /Connection is closed|Stream isn't writeable|isn't ready|Cluster is ended|connection close/i.test(
      error.message,
    )
  ) {
    return 'connection';
  }
  return 'other';
}
