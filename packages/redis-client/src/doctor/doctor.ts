import { randomBytes } from 'node:crypto';
import { describeTarget, describeTls } from '../config/describe.js';
import { closeRedis } from '../connection/close.js';
import { connectRedis } from '../connection/connect.js';
import { createRedis } from '../connection/create-redis.js';
import { pingRedis } from '../connection/health.js';
import { redactErrorSecrets } from '../connection/redact.js';
import { silentLogger } from '../connection/silent-logger.js';
import { parseRedisInfo } from '../metrics/parse-info.js';
import type { DoctorCheck, DoctorContext, DoctorReport, RedisClient, RedisOptions } from '../types.js';
import { fail, ok, warn } from './checks.js';
import { serverChecks, type ServerFacts } from './server-checks.js';

const PROBE_TTL_MS = 30_000;

/**
 * Connects with the app's own options and checks what the platform relies on:
 * reachability and auth, read/write inside the key prefix, and the server
 * settings that decide whether queued jobs survive (eviction, persistence).
 * Never throws: every problem becomes a check.
 */
export async function runRedisDoctor(options: RedisOptions, ctx: DoctorContext): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const target = describeTarget(options);
  const client = createRedis(options, 'commands', {
    connectionName: 'rnh:doctor',
    logger: ctx.logger ?? silentLogger(),
    pool: 'doctor',
  });
  let server: DoctorReport['server'];
  try {
    try {
      await connectRedis(client, { timeoutMs: options.connectTimeoutMs, target });
      checks.push(
        ok(
          'connect',
          `connected to ${target}${options.username ? ` as user "${options.username}"` : ''}${options.tls ? ` over ${describeTls(options.tls)}` : ''}`,
        ),
      );
    } catch (error) {
      checks.push(fail('connect', message(error)));
      return report(checks);
    }

    checks.push(authCheck(options, ctx.production));

    const health = await pingRedis(client, 2000);
    checks.push(
      health.status === 'up'
        ? ok('ping', `PONG in ${health.latencyMs} ms`)
        : fail('ping', `PING failed: ${health.error}`),
    );

    checks.push(await readWriteCheck(client, `${options.keyPrefix}doctor:${randomBytes(6).toString('hex')}`));

    const facts = await serverFacts(client, health.latencyMs ?? 0);
    if ('error' in facts) {
      checks.push(warn('server', `INFO failed, server settings not checked: ${facts.error}`));
    } else {
      const { configReadable: _configReadable, ...info } = facts;
      server = info;
      checks.push(...serverChecks(facts));
    }
  } catch (error) {
    checks.push(fail('doctor', `unexpected error: ${message(error)}`));
  } finally {
    await closeRedis(client, 1000);
  }
  return report(checks, server);
}

function report(checks: DoctorCheck[], server?: DoctorReport['server']): DoctorReport {
  const result: DoctorReport = { ok: checks.every((check) => check.status !== 'fail'), checks };
  if (server) result.server = server;
  return result;
}

function authCheck(options: RedisOptions, production: boolean): DoctorCheck {
  if (options.password)
    return ok(
      'auth',
      options.username ? `ACL user "${options.username}" with a password` : 'password set (default user)',
    );
  return production
    ? warn(
        'auth',
        'no password configured in production: anyone who can reach this Redis can read and change every key; set a password, ideally for an ACL user',
      )
    : ok('auth', 'no password (acceptable outside production)');
}

async function readWriteCheck(client: RedisClient, key: string): Promise<DoctorCheck> {
  const value = randomBytes(8).toString('hex');
  try {
    await client.set(key, value, 'PX', PROBE_TTL_MS);
    const read = await client.get(key);
    await client.del(key);
    if (read !== value) return fail('read-write', `wrote ${key} but read back ${JSON.stringify(read)}`);
    return ok('read-write', `SET/GET/DEL on ${key} (expires in ${PROBE_TTL_MS / 1000} s)`);
  } catch (error) {
    const text = message(error);
    const hint = text.startsWith('NOPERM')
      ? ': the ACL user may not write keys under this prefix'
      : text.startsWith('READONLY')
        ? ': this is a read-only replica'
        : text.startsWith('OOM')
          ? ': Redis is out of memory (maxmemory reached with noeviction)'
          : '';
    return fail('read-write', `cannot write ${key}: ${text}${hint}`);
  }
}

async function serverFacts(client: RedisClient, latencyMs: number): Promise<ServerFacts | { error: string }> {
  let info: Record<string, string>;
  try {
    info = parseRedisInfo(await client.info());
  } catch (error) {
    return { error: message(error) };
  }
  let configReadable = true;
  let evictionPolicy = info.maxmemory_policy ?? 'unknown';
  let rdb = false;
  try {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as string[];
    const [, save] = (await client.config('GET', 'save')) as string[];
    if (policy) evictionPolicy = policy;
    rdb = Boolean(save?.trim());
  } catch {
    // Managed Redis and restrictive ACLs refuse CONFIG; INFO still has the policy.
    configReadable = false;
  }
  return {
    version: info.redis_version ?? 'unknown',
    role: info.role ?? 'unknown',
    mode: info.redis_mode ?? 'unknown',
    usedMemoryBytes: Number(info.used_memory ?? 0),
    maxMemoryBytes: Number(info.maxmemory ?? 0),
    evictionPolicy,
    rdb,
    aof: info.aof_enabled === '1',
    latencyMs,
    configReadable,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? redactErrorSecrets(error).message : String(error);
}
