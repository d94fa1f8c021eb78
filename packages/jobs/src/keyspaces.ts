// Key namespaces (under REDIS_KEY_PREFIX) that more than one app reads or writes.
export const keyspaces = {
  sessions: 'sess',
  sessionIndex: 'user-sessions',
  oneTimeTokens: 'tokens',
  refreshTokens: 'refresh',
  /** Live event feeds and presence (@rnh/realtime): both apps publish. */
  realtime: 'realtime',
} as const;
