// The scale stack's reverse proxy (deploy/haproxy/haproxy.cfg): HAProxy itself accepts the config;
// it sends requests to every api replica and nothing else, on the api's port, only while the
// replica's GET /ready answers 200; it retries on another replica only what is safe to send twice.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haproxyConfigFile } from '../src/index.js';
import { appSettings } from './app-config.js';
import { environment, replicasOf, scaleCompose } from './scale-stack.js';
import { containerPort, findBinary, hostFileFor, hostPort, serviceByImage } from './support.js';

/** haproxy.cfg as `section header -> its lines`, comments and blank lines left out. */
function haproxySections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trimEnd();
    if (!line.trim()) continue;
    if (/^\S/.test(line)) sections.set(line.trim(), (current = []));
    else current.push(line.trim());
  }
  return sections;
}

const config = haproxySections(readFileSync(haproxyConfigFile, 'utf8'));
const [proxyName, proxy] = serviceByImage(scaleCompose, 'haproxy');
const frontendName = [...config.keys()].find((header) =>
  config.get(header)!.some((line) => line.startsWith('default_backend ')),
)!;
const frontend = config.get(frontendName)!;
const backendName = frontend.find((line) => line.startsWith('default_backend '))!.split(/\s+/)[1]!;
const backend = config.get(`backend ${backendName}`) ?? [];
const apiReplicas = replicasOf('api');
const apiSettings = appSettings('api', environment(apiReplicas[0]!));
/** The words after `keyword` on each line of the backend that starts with it. */
const backendLines = (keyword: string) =>
  backend.filter((line) => line.startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1));
/** `server <name> <address> <options...>` lines as words: the replicas, then their fallbacks. */
const servers = backendLines('server').map((line) => line.split(/\s+/));
const checkedServers = servers.filter((words) => !words.includes('backup'));
const fallbackServers = servers.filter((words) => words.includes('backup'));

describe('HAProxy in front of the api replicas', () => {
  it('is the official image reading the committed haproxy.cfg', () => {
    expect(hostFileFor(proxy, '/usr/local/etc/haproxy/haproxy.cfg')).toBe(haproxyConfigFile);
  });

  it('haproxy -c accepts the config (replicas not resolvable here are the only warning)', () => {
    // Debian installs it in /usr/sbin, which a user's PATH may not hold.
    const bin = findBinary('haproxy', 'HAPROXY_BIN', 'haproxy', {
      ...process.env,
      PATH: `${process.env.PATH ?? ''}${delimiter}/usr/sbin`,
    });
    const result = spawnSync(bin, ['-c', '-f', haproxyConfigFile], { encoding: 'utf8' });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(0);
    const warnings = output.split('\n').filter((line) => line.includes('[WARNING]'));
    expect(warnings.filter((line) => !/could not resolve address/.test(line))).toEqual([]);
  });

  it("sends requests to every api replica and to nothing else, on the api's port", () => {
    for (const group of [checkedServers, fallbackServers]) {
      const addresses = group.map((words) => hostPort(words[1]!));
      expect(addresses.map((address) => address.host).sort()).toEqual([...apiReplicas].sort());
      for (const address of addresses) expect(address.port).toBe(apiSettings.port);
    }
  });

  it('still reaches the replicas when every one of them fails its check, not answering 503 itself', () => {
    // Backup servers without checks: used only when no checked server is up, all of them at once.
    for (const server of fallbackServers) expect(server, server.join(' ')).toContain('no-check');
    expect(backend).toContain('option allbackups');
  });

  it("listens where the api's public URL points (links in mail lead to the proxy)", () => {
    const bindPort = Number(
      frontend
        .find((line) => line.startsWith('bind '))!
        .split(':')
        .pop(),
    );
    const mapping = (proxy.ports ?? []).find((ports) => containerPort(ports) === bindPort);
    expect(mapping, `${proxyName} publishes its frontend port ${bindPort}`).toBeDefined();
    const publicUrl = new URL(environment(apiReplicas[0]!).API_PUBLIC_URL!);
    expect(Number(publicUrl.port)).toBe(Number(mapping!.split(':')[1]));
  });

  it('sends a replica requests only while its GET /ready answers 200', () => {
    expect(backend).toContain('option httpchk');
    expect(backend).toContain('http-check send meth GET uri /ready');
    expect(backend).toContain('http-check expect status 200');
    // Every server but the fallbacks is checked: `check` on default-server (or on its own line).
    const defaults = backendLines('default-server').join(' ').split(/\s+/);
    for (const server of checkedServers)
      expect(defaults.includes('check') || server.includes('check'), server.join(' ')).toBe(true);
  });

  it('retries on another replica; past a failed connection, only GET, HEAD and OPTIONS', () => {
    expect(Number(backendLines('retries')[0])).toBeGreaterThan(0);
    expect(backend.some((line) => /^option redispatch\b/.test(line))).toBe(true);
    const retryOn = backendLines('retry-on')[0]!.split(/\s+/);
    expect(retryOn).toContain('conn-failure');
    // Any other condition retries a request that a replica may already have run: HAProxy must
    // turn those retries off for every method that is not safe to repeat.
    if (retryOn.some((condition) => condition !== 'conn-failure')) {
      const rule = backend.find((line) => line.startsWith('http-request disable-l7-retry unless '));
      expect(rule, 'an `http-request disable-l7-retry unless <safe methods>` rule').toBeDefined();
      const methods = rule!
        .slice('http-request disable-l7-retry unless '.length)
        .split(/\s*(?:\|\||\bor\b)\s*/)
        .map((acl) => acl.trim());
      // HAProxy's predefined ACLs: METH_GET matches GET and HEAD.
      for (const acl of methods) expect(['METH_GET', 'METH_HEAD', 'METH_OPTIONS']).toContain(acl);
    }
  });

  it('is the one proxy the api trusts: it replaces the forwarding headers a client sends', () => {
    // API_TRUST_PROXY=1: the api takes the X-Forwarded-For entry this proxy appends as the client's.
    expect(apiSettings.trustProxy).toBe(1);
    expect(frontend).toContain('http-request del-header X-Forwarded-For');
    expect(frontend).toContain('option forwardfor');
    expect(
      frontend.filter((line) => line.startsWith('http-request set-header X-Forwarded-Proto ')),
    ).not.toEqual([]);
  });
});
