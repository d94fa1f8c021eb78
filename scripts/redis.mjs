#!/usr/bin/env node
// Makes sure a Redis is there for `npm start`, `turbo run dev` and the tests.
// Run directly (`node scripts/redis.mjs`, turbo's `//#redis:ensure` task), it ensures one
// answers at the configured address.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withEnvFiles } from './env-files.mjs';
import { checkFlags, commandExists, dataDir, fail, say } from './lib.mjs';

const INSTALL_HINT =
  'Install it with "sudo apt-get install -y redis-server" (Debian/Ubuntu) or "brew install redis" (macOS), ' +
  'or point REDIS_URL at a Redis you run elsewhere.';

/** Fails with install instructions when redis-server is missing (scripts/prerequisites.sh installs it on Debian). */
export function ensureRedisServerInstalled() {
  if (commandExists(process.env.REDIS_SERVER_BIN ?? 'redis-server')) return;
  fail(`redis-server is not installed; the tests start their own Redis servers with it. ${INSTALL_HINT}`);
}

/** The address the apps will use, from the same variables they read. */
export function configuredRedisAddress(env = process.env) {
  if (env.REDIS_SENTINELS || env.REDIS_CLUSTER_NODES) return undefined;
  let host = '127.0.0.1';
  let port = 6379;
  let password;
  if (env.REDIS_URL) {
    try {
      const url = new URL(env.REDIS_URL);
      host = url.hostname || host;
      port = Number(url.port || 6379);
      password = url.password ? decodeURIComponent(url.password) : undefined;
    } catch {
      return undefined; // the app reports the bad URL itself, with the variable's name
    }
  }
  if (env.REDIS_HOST) host = env.REDIS_HOST;
  if (env.REDIS_PORT && /^\d+$/.test(env.REDIS_PORT)) port = Number(env.REDIS_PORT);
  if (env.REDIS_PASSWORD) password = env.REDIS_PASSWORD;
  return { host, port, password };
}

/** Resolves true when something that speaks Redis answers at host:port. */
export function redisAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH when a password is set: either way a Redis is there.
    socket.on('data', (chunk) => done(/^[+-]/.test(chunk.toString())));
  });
}

/** Starts a local redis-server for development when nothing answers at the configured address. */
export async function ensureRedisRunning(env = process.env) {
  // The api's view, .env files included: the Redis it will connect to is the one to check.
  const address = configuredRedisAddress(withEnvFiles('api', env));
  if (!address) return;
  const { host, port, password } = address;
  if (await redisAnswers(host, port)) {
    say(`Redis answers at ${host}:${port}.`);
    return;
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!local)
    fail(
      `Nothing answers at ${host}:${port} (from REDIS_URL/REDIS_HOST/REDIS_PORT). Start that Redis or fix the address.`,
    );
  if (!commandExists('redis-server'))
    fail(`Nothing answers at ${host}:${port} and redis-server is not installed. ${INSTALL_HINT}`);

  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--daemonize',
    'yes',
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ];
  if (password) args.push('--requirepass', password);
  const started = spawnSync('redis-server', args, { stdio: 'inherit' });
  if (started.status !== 0) fail(`redis-server did not start; see ${join(dir, 'redis.log')}.`);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(host, port)) {
      say(
        `Started redis-server on ${host}:${port} for development (data in .data/redis; stop it with "redis-cli -p ${port} shutdown").`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`redis-server started but does not answer at ${host}:${port}; see ${join(dir, 'redis.log')}.`);
}

const USAGE = `Usage: node scripts/redis.mjs

Makes sure a Redis answers at the address the apps use (REDIS_URL, or REDIS_HOST and REDIS_PORT;
default 127.0.0.1:6379). When nothing answers at a local address, starts redis-server there with
its data in .data/redis; otherwise says what to install or fix. "turbo run dev" runs it before the apps start.`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  checkFlags('redis.mjs', process.argv.slice(2), USAGE);
  await ensureRedisRunning();
}
