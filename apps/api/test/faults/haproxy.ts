// The scale stack's reverse proxy, run here: deploy/haproxy/haproxy.cfg as shipped, with only its
// addresses changed (loopback ports instead of Docker's service names and DNS).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@rnh/test-utils';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../../../deploy/haproxy/haproxy.cfg', import.meta.url));

export interface HaproxyHandle {
  /** Where clients send requests. */
  readonly url: string;
  /** Each api replica's state as the proxy sees it (`UP`, `DOWN`, `MAINT`...). */
  replicaStates(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

function haproxyBinary(): string {
  // Debian installs it in /usr/sbin, which a user's PATH may not hold.
  for (const candidate of ['haproxy', '/usr/sbin/haproxy', '/usr/local/sbin/haproxy'])
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  throw new Error('haproxy is not installed: apt-get install haproxy (scripts/prerequisites.sh does)');
}

/** The shipped config with `api-N` replicas at the given ports and listeners on loopback. */
export function localConfig(apiPorts: readonly number[], port: number, statsPort: number): string {
  const shipped = readFileSync(SHIPPED_CONFIG, 'utf8');
  const config = shipped
    // No Docker DNS here: the replicas are plain loopback addresses.
    .replace(/^resolvers docker\n(?:[ \t]+.*\n)+/m, '')
    .replace(/ resolvers docker init-addr libc,none/, '')
    .replace(/^(\s*)bind :8080$/m, `$1bind 127.0.0.1:${port}`)
    .replace(/^(\s*)bind :8404$/m, `$1bind 127.0.0.1:${statsPort}`)
    .replace(/\bapi-(\d+):3000\b/g, (_match, index: string) => {
      const apiPort = apiPorts[Number(index) - 1];
      if (apiPort === undefined)
        throw new Error(`haproxy.cfg names api-${index}; the test started ${apiPorts.length}`);
      return `127.0.0.1:${apiPort}`;
    });
  const directives = config.replace(/#.*$/gm, '');
  if (config === shipped || /:3000\b|resolvers/.test(directives))
    throw new Error('deploy/haproxy/haproxy.cfg changed shape; update test/faults/haproxy.ts');
  return config;
}

/** Starts HAProxy in front of the api replicas and waits until it sees each one UP. */
export async function startHaproxy(apiPorts: readonly number[]): Promise<HaproxyHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'rnh-haproxy-'));
  const [port, statsPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'haproxy.cfg');
  writeFileSync(configFile, localConfig(apiPorts, port, statsPort));
  const child = spawn(haproxyBinary(), ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replicaStates = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/;csv`)).text();
    const states: Record<string, string> = {};
    for (const line of csv.split('\n')) {
      const [proxy, server, ...fields] = line.split(',');
      // Columns: pxname, svname, ..., status is the 18th.
      if (proxy === 'api' && server && /^api-\d+$/.test(server)) states[server] = fields[15] ?? '';
    }
    return states;
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
        const states = await replicaStates();
        return apiPorts.every((_port, index) => states[`api-${index + 1}`] === 'UP');
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'HAProxy to see every api replica UP' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, replicaStates, stop };
}
