import type { HostPort, RedisOptions } from '../types.js';

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where the options point, for logs and errors: never includes credentials. */
export function describeTarget(options: RedisOptions): string {
  const scheme = options.tls ? 'rediss' : 'redis';
  switch (options.mode) {
    case 'sentinel':
      return `sentinel master "${options.sentinelName ?? '?'}" via ${options.sentinels.map(formatHostPort).join(',')}${options.tls ? ' (TLS)' : ''}`;
    case 'cluster':
      return `cluster via ${options.clusterNodes.map(formatHostPort).join(',')}${options.tls ? ' (TLS)' : ''}`;
    default:
      return `${scheme}://${formatHostPort(options)}/${options.db}`;
  }
}

/** How TLS is set up, for the doctor and messages: what is given, never the certificates or key. */
export function describeTls(tls: RedisOptions['tls']): string {
  if (!tls) return 'no TLS';
  if (tls === true) return 'TLS (built-in CAs)';
  const parts = [tls.ca ? 'own CA' : 'built-in CAs'];
  if (tls.cert) parts.push('client certificate');
  if (tls.servername) parts.push(`servername "${tls.servername}"`);
  return `TLS (${parts.join(', ')})`;
}
