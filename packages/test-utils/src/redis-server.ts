import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { createTestCertificates, type TestCertificates } from './redis-tls.js';

export class RedisServerNotInstalledError extends Error {
  constructor(binary: string) {
    super(
      `redis-server was not found (looked for "${binary}"). Tests need a real Redis: ` +
        `install it with "sudo apt-get install -y redis-server" (Debian/Ubuntu) or "brew install redis" (macOS), ` +
        `or point REDIS_SERVER_BIN at the binary.`,
    );
    this.name = 'RedisServerNotInstalledError';
  }
}

export interface StartRedisServerOptions {
  /** Password for the default user (`requirepass`). */
  password?: string;
  /** Extra ACL lines, e.g. `user app on >secret ~* +@all`. */
  aclUsers?: string[];
  /** Keep an append-only file in the temp dir (off by default). */
  appendOnly?: boolean;
  /** Extra `--name value` arguments for redis-server. */
  args?: string[];
  /** Binary to run; defaults to REDIS_SERVER_BIN or `redis-server` on PATH. */
  binary?: string;
  /**
   * Serve TLS only (`tls-port`; the plain port is off), with a CA and certificates made for this
   * server (see `handle.tls`). `authClients` is redis-server's `tls-auth-clients`: `yes` requires
   * a client certificate signed by the CA (mutual TLS); default `optional`.
   */
  tls?: boolean | { authClients?: 'yes' | 'no' | 'optional' };
}

export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, or `rediss://` with `tls` (no credentials). */
  readonly url: string;
  readonly dir: string;
  /** With `tls`: the server's CA (`server.caFile`, `server.ca`) and a client certificate it accepts. */
  readonly tls: TestCertificates | undefined;
  /** Started and not stopped or killed through this handle. */
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL) and keeps its directory for a restart. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (a crash: nothing flushed, connections cut) and keeps its directory. */
  kill(): Promise<void>;
  /**
   * Starts it again on the same port with the same settings and directory. `args` (`--name value`
   * pairs) override settings for this start only, as on an operator's command line
   * (`redis-server redis.conf --appendonly no`); the next restart goes back to the config file.
   */
  restart(options?: { args?: string[] }): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): connections stay open and nothing is answered until `thaw()`.
   * Unlike CLIENT PAUSE, which ends by itself, it lasts as long as the test needs.
   */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT); what it was sent meanwhile is answered now. */
  thaw(): void;
  /** Stops it and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

export function findRedisServerBinary(binary?: string): string {
  // The test runner passes this through; packages never read it.
  const candidate = binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new RedisServerNotInstalledError(candidate);
  return candidate;
}

/** Starts a throwaway redis-server on a free port, with no persistence unless asked. */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServerBinary(options.binary);
  const { dir, port, configPath, tls, child: started } = await launchOnFreePort(binary, options);
  let child: ChildProcess | undefined = started;
  let destroyed = false;

  const stop = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    await terminate(running);
  };

  return {
    host: '127.0.0.1',
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    tls,
    get running() {
      return child !== undefined;
    },
    stop,
    async kill() {
      if (!child) return;
      const running = child;
      child = undefined;
      await terminate(running, 'SIGKILL');
    },
    async restart(restartOptions = {}) {
      await stop();
      child = await launch(binary, configPath, port, false, restartOptions.args);
    },
    freeze() {
      if (!child) throw new Error('redis-server is not running');
      child.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes the config for a free port and starts the server there. A port that was free when
 * asked can be taken before the server binds it, by another suite running meanwhile; so can a
 * cluster node's bus port (its port + 10000). The server then exits with "Address already in
 * use", and it is started again on another port, in a fresh directory.
 */
async function launchOnFreePort(binary: string, options: StartRedisServerOptions) {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'rnh-redis-'));
    const port = await freePortWithRetry();
    const configPath = join(dir, 'redis.conf');
    const tls = options.tls ? createTestCertificates(dir) : undefined;
    writeFileSync(configPath, renderConfig(port, dir, options, tls));
    try {
      return { dir, port, configPath, tls, child: await launch(binary, configPath, port) };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 5 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

function renderConfig(
  port: number,
  dir: string,
  options: StartRedisServerOptions,
  tls: TestCertificates | undefined,
): string {
  const lines = [
    ...(tls ? tlsConfig(port, tls, options.tls) : [`port ${port}`]),
    'bind 127.0.0.1',
    `dir ${dir}`,
    'save ""',
    `appendonly ${options.appendOnly ? 'yes' : 'no'}`,
    'daemonize no',
    'loglevel warning',
    'logfile ""',
  ];
  if (options.password) lines.push(`requirepass ${options.password}`);
  for (const acl of options.aclUsers ?? []) lines.push(acl);
  // `--name value` pairs become config lines (`name value`).
  const args = options.args ?? [];
  for (let index = 0; index < args.length; index += 2)
    lines.push(`${args[index]!.replace(/^--/, '')} ${args[index + 1] ?? ''}`);
  return `${lines.join('\n')}\n`;
}

function tlsConfig(
  port: number,
  { server }: TestCertificates,
  tls: StartRedisServerOptions['tls'],
): string[] {
  const authClients = (typeof tls === 'object' && tls.authClients) || 'optional';
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${server.certFile}`,
    `tls-key-file ${server.keyFile}`,
    `tls-ca-cert-file ${server.caFile}`,
    `tls-auth-clients ${authClients}`,
  ];
}

export async function freePortWithRetry(): Promise<number> {
  // Ports below 55000 leave room for cluster bus ports (port + 10000).
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port < 55_000) return port;
  }
  return freePort();
}

/** Every server and Sentinel started here that has not exited yet. */
const children = new Set<ChildProcess>();
let killsOnExit = false;

/**
 * A test run that ends without destroying what it started (a crash, an interrupted run) must
 * not leave servers behind: they are killed when this process exits.
 */
function killOnExit(child: ChildProcess): void {
  if (!killsOnExit) {
    killsOnExit = true;
    process.once('exit', killLeftovers);
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

function killLeftovers(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Starts redis-server (or, with `sentinel`, a Sentinel) and resolves once it says it is ready.
 * `overrides` (`--name value` pairs) follow the config file on the command line, so they win.
 */
export function launch(
  binary: string,
  configPath: string,
  port: number,
  sentinel = false,
  overrides: string[] = [],
): Promise<ChildProcess> {
  const ready = sentinel ? '+monitor master' : 'Ready to accept connections';
  return new Promise((resolve, reject) => {
    const args = [configPath, ...(sentinel ? ['--sentinel'] : []), '--loglevel', 'notice', ...overrides];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} did not become ready in 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with code ${code}:\n${output}`));
    });
  });
}

export function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}
