import type { ConnectionOptions } from 'node:tls';
import { RedisConfigError } from '../errors.js';
import type { RedisOptions } from '../types.js';

/**
 * What ioredis passes to `tls.connect` for `options.tls`, or undefined without TLS. Node verifies
 * the server's certificate against `ca` (its built-in CAs without one) and the host or `servername`.
 */
export function tlsConnectOptions(tls: RedisOptions['tls']): ConnectionOptions | undefined {
  if (!tls) return undefined;
  if (tls === true) return {};
  const { ca, cert, key, servername } = tls;
  if (Boolean(cert) !== Boolean(key)) {
    const missing = cert ? 'key' : 'cert';
    throw new RedisConfigError([
      {
        variable: `tls.${missing}`,
        message: `tls.cert and tls.key go together: a client certificate needs its private key (tls.${missing} is missing)`,
      },
    ]);
  }
  return Object.fromEntries(
    Object.entries({ ca, cert, key, servername }).filter(([, value]) => value !== undefined),
  ) as ConnectionOptions;
}
