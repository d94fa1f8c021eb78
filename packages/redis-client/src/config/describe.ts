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
