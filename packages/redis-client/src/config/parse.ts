import type { RedisConfigIssue } from '../errors.js';
import type { HostPort } from '../types.js';

export type Env = Record<string, string | undefined>;

/** Collects every problem so one error can list them all. */
export class IssueCollector {
  readonly issues: RedisConfigIssue[] = [];

  add(variable: string, message: string): undefined {
    this.issues.push({ variable, message });
    return undefined;
  }
}

/** Blank values count as unset: `.env` files often carry `REDIS_PASSWORD=`. */
export function readVar(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function quote(value: string): string {
  return JSON.stringify(value);
}

export function parseInteger(
  raw: string,
  variable: string,
  issues: IssueCollector,
  { min, max = Number.MAX_SAFE_INTEGER, expected }: { min: number; max?: number; expected: string },
): number | undefined {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return issues.add(variable, `${variable} must be ${expected} (got ${quote(raw)})`);
  }
  return value;
}

export function parsePort(raw: string, variable: string, issues: IssueCollector): number | undefined {
  return parseInteger(raw, variable, issues, { min: 1, max: 65_535, expected: 'a port number 1-65535' });
}

export function parseBoolean(raw: string, variable: string, issues: IssueCollector): boolean | undefined {
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return issues.add(variable, `${variable} must be true, false, 1 or 0 (got ${quote(raw)})`);
}

/** `host:port,host:port`; IPv6 hosts in brackets: `[::1]:26379`. */
export function parseHostList(raw: string, variable: string, issues: IssueCollector): HostPort[] | undefined {
  const nodes: HostPort[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const match = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(entry);
    const port = match?.[3] ? Number(match[3]) : 0;
    const host = match?.[1] ?? match?.[2];
    if (!host || port < 1 || port > 65_535) {
      return issues.add(
        variable,
        `${variable} must be a comma-separated list of host:port, e.g. "10.0.0.1:26379,10.0.0.2:26379" (got ${quote(raw)})`,
      );
    }
    nodes.push({ host, port });
  }
  return nodes;
}

export interface UrlParts {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls: boolean;
}

/** Hides the user-info part so an error message never prints a password. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}

export function parseRedisUrl(raw: string, variable: string, issues: IssueCollector): UrlParts | undefined {
  const expected = `${variable} must be a redis:// or rediss:// URL like "redis://user:password@host:6379/0", with special characters in the password percent-encoded (got ${quote(redactUrl(raw))})`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return issues.add(variable, expected);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname)
    return issues.add(variable, expected);

  const parts: UrlParts = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    tls: url.protocol === 'rediss:',
  };
  try {
    if (url.username) parts.username = decodeURIComponent(url.username);
    if (url.password) parts.password = decodeURIComponent(url.password);
  } catch {
    return issues.add(variable, expected);
  }
  const path = url.pathname.replace(/^\//, '');
  if (path) {
    if (!/^\d+$/.test(path)) {
      return issues.add(
        variable,
        `${variable} database (the path after the host) must be an integer >= 0 (got ${quote(`/${path}`)})`,
      );
    }
    parts.db = Number(path);
  }
  return parts;
}
