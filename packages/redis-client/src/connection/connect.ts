import {
  RedisAuthError,
  RedisClosedError,
  RedisConnectionError,
  RedisTimeoutError,
  type RedisClientError,
} from '../errors.js';
import type { RedisClient } from '../types.js';
import { clientTarget, clientTls, clientUsername } from './client-info.js';
import { redactErrorSecrets } from './redact.js';
import { tlsFailureReason, type TlsInUse } from './tls-failure.js';

export interface ConnectRedisOptions {
  /** Give up waiting after this long; default 10000 ms. */
  timeoutMs?: number;
  /** How to name the server in errors; defaults to what the client was configured with. */
  target?: string;
}

/**
 * Waits until the client is ready, starting the connection if it has not started.
 * Rejects on the first connection error with a coded error that says why
 * (authentication, refused, timeout); the ioredis error is the `cause`.
 * The client keeps its retry strategy: close it if you give up on it.
 */
export function connectRedis(
  client: RedisClient,
  { timeoutMs = 10_000, target = clientTarget(client) }: ConnectRedisOptions = {},
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end')
    return Promise.reject(new RedisClosedError(`Redis connection to ${target} is closed`));

  return new Promise<void>((resolve, reject) => {
    // A cluster's own 'error' is a generic "Failed to refresh slots cache."; a
    // 'node error' before it may say more (e.g. WRONGPASS), so keep the last one.
    let lastNodeError: unknown;
    const onNodeError = (error: unknown): void => {
      lastNodeError = error;
    };
    const settle = (error?: RedisClientError): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      client.off('node error', onNodeError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => settle();
    const onError = (error: unknown): void =>
      settle(
        toConnectError(error, target, {
          username: clientUsername(client),
          nodeError: lastNodeError,
          tls: clientTls(client),
        }),
      );
    const onEnd = (): void =>
      settle(new RedisConnectionError(`Redis connection to ${target} ended before it was ready`));
    const timer = setTimeout(
      () => settle(new RedisTimeoutError(`Redis at ${target} was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
    client.on('node error', onNodeError);
    if (client.status === 'wait') client.connect().catch(onError);
  });
}

const AUTH_FAILURE = /WRONGPASS|invalid password|invalid username-password|AUTH failed|NOPERM.*auth/i;

/** What toConnectError knows of the connection besides the error. */
export interface ConnectContext {
  username?: string | undefined;
  /** The last `node error` of a cluster, which may say more than its own error. */
  nodeError?: unknown;
  /** Whether the client speaks TLS, and whether it presents a certificate. */
  tls?: TlsInUse | undefined;
}

/** Turns a connection-time ioredis error into a coded error with a reason a human can act on. */
export function toConnectError(
  error: unknown,
  target: string,
  { username, nodeError, tls }: ConnectContext = {},
): RedisClientError {
  const root = redactErrorSecrets(
    (error as { lastNodeError?: unknown } | null)?.lastNodeError ?? nodeError ?? error,
  );
  const message = root instanceof Error ? root.message : String(root);
  const code = (root as { code?: unknown } | null)?.code;
  const who = username ? `user "${username}"` : 'the default user';

  if (/^NOAUTH/.test(message)) {
    return new RedisAuthError(
      `Redis authentication failed at ${target}: the server requires a password and none was accepted (${message})`,
      { cause: error },
    );
  }
  if (AUTH_FAILURE.test(message)) {
    return new RedisAuthError(
      `Redis authentication failed for ${who} at ${target}: wrong username or password (${message})`,
      { cause: error },
    );
  }
  if (code === 'ETIMEDOUT') {
    return new RedisTimeoutError(`Could not connect to Redis at ${target}: connection timed out`, {
      cause: error,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new RedisConnectionError(
      `Could not connect to Redis at ${target}: connection refused (is Redis running and listening there?)`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RedisConnectionError(`Could not connect to Redis at ${target}: host not found`, {
      cause: error,
    });
  }
  const tlsReason = tlsFailureReason(code, message, tls);
  if (tlsReason) {
    return new RedisConnectionError(`Could not connect to Redis at ${target} over TLS: ${tlsReason}`, {
      cause: error,
    });
  }
  if ((error as Error | null)?.name === 'ClusterAllFailedError') {
    // ioredis refreshes slots over throwaway connections and drops their socket errors.
    return new RedisConnectionError(
      `Could not connect to Redis at ${target}: no cluster node answered CLUSTER SLOTS (last node error: ${message})`,
      { cause: error },
    );
  }
  return new RedisConnectionError(`Could not connect to Redis at ${target}: ${message}`, { cause: error });
}
