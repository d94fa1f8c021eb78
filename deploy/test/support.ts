// Shared by the deploy tests: promtool, YAML files, the compose file.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { composeFile, repoRoot } from '../src/index.js';

/**
 * promtool from PROMTOOL_BIN or the PATH. Missing, it throws (the tests fail, never skip)
 * with what to install.
 */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PROMTOOL_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PROMTOOL_BIN is ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const found = onPath('promtool', env);
  if (found) return found;
  throw new Error(
    'promtool is not installed, and the alert rules cannot be checked without it. On Debian or Ubuntu: ' +
      '`sudo apt-get install prometheus` (the package ships promtool; scripts/prerequisites.sh installs it). ' +
      'Elsewhere, download Prometheus from https://prometheus.io/download/ and set PROMTOOL_BIN to its promtool.',
  );
}

/** The first executable called `name` in the PATH's directories. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * A tool of a Debian package from an environment variable or the PATH. Missing, it throws (the
 * tests fail, never skip) with what to install.
 */
export function findBinary(
  name: string,
  envVar: string,
  debianPackage: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromEnv = env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar} is ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const found = onPath(name, env);
  if (found) return found;
  throw new Error(
    `${name} is not installed. On Debian or Ubuntu: \`sudo apt-get install ${debianPackage}\` ` +
      `(scripts/prerequisites.sh installs it), or set ${envVar} to the binary.`,
  );
}

/**
 * Runs a tool (promtool, amtool); answers its exit code and everything it printed. Asynchronous:
 * a long `promtool test rules` on a busy machine must not block the test worker's event loop.
 */
export function runTool(
  bin: string,
  args: string[],
  cwd?: string,
): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      // A number is the tool's exit code; anything else (ENOENT...) means it did not run.
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ status: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** Runs promtool: see runTool. */
export const promtool = runTool;

export function readYaml<T = unknown>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}

export interface RuleTestFile {
  rule_files: string[];
  tests: Array<{
    input_series?: Array<{ series: string; values: string }>;
    alert_rule_test?: Array<{ alertname: string; eval_time: string; exp_alerts?: unknown[] }>;
    promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples?: unknown[] }>;
  }>;
}

export interface ComposeService {
  image?: string;
  hostname?: string;
  user?: string;
  build?: { context: string; target?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  /** Compose duration, such as `40s` or `1m30s`. */
  stop_grace_period?: string;
}
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** A compose file, with YAML merge keys (`<<: *api`) resolved as compose resolves them. */
export function readCompose(file: string = composeFile): ComposeFile {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** `${VAR:-default}` as compose resolves it when VAR is not set. */
export function composeDefault(value: string): string {
  return value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
}

/** `[ip:]host:container[/proto]` → the container port. */
export function containerPort(mapping: string): number {
  const parts = mapping.split('/')[0]!.split(':');
  return Number(parts[parts.length - 1]);
}

/** Bind mounts `./host:/container[:ro]` of a service. */
export function bindMounts(service: ComposeService): Array<{ host: string; container: string }> {
  return (service.volumes ?? [])
    .filter((volume) => volume.startsWith('./') || volume.startsWith('/'))
    .map((volume) => {
      const [host, container] = volume.split(':');
      return { host: host!, container: container! };
    });
}

/** The host file mounted at `containerPath` in a service (a file, or inside a mounted directory). */
export function hostFileFor(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    if (containerPath === mount.container) return resolve(repoRoot, mount.host);
    if (containerPath.startsWith(`${mount.container}/`))
      return resolve(repoRoot, mount.host, containerPath.slice(mount.container.length + 1));
  }
  return undefined;
}

/** A service's command as a list of arguments. */
export function commandArgs(service: ComposeService): string[] {
  const command = service.command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/);
}

/** The service whose image name starts with `image` (e.g. `prom/prometheus`). */
export function serviceByImage(compose: ComposeFile, image: string): [string, ComposeService] {
  const found = Object.entries(compose.services).find(
    ([, service]) => service.image?.split(':')[0] === image,
  );
  if (!found) throw new Error(`no compose service runs ${image}`);
  return found;
}

/** host and port of `host:port` or of a URL. */
export function hostPort(address: string, defaultPort?: number): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  const port = url.port ? Number(url.port) : defaultPort;
  if (port === undefined) throw new Error(`${address} has no port`);
  return { host: url.hostname, port };
}

/** GitHub's anchors for a Markdown file's headings: lowercased, punctuation dropped, spaces to dashes. */
export function markdownAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) =>
    match[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  );
}

/**
 * The metrics docs/metrics.md lists as not exported by the apps (its "Prometheus and
 * redis_exporter" section): Prometheus's `up` and redis_exporter's series.
 */
export function metricsOutsideTheApps(): Set<string> {
  const catalog = readFileSync(join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const section = /^## Prometheus and redis_exporter$([\s\S]*?)^## /m.exec(catalog)?.[1];
  if (!section) throw new Error('docs/metrics.md has no "Prometheus and redis_exporter" section');
  return new Set([...section.matchAll(/^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|/gm)].map((match) => match[1]!));
}

/** The sample names a /metrics endpoint serves now. */
export async function servedSampleNames(metricsUrl: string): Promise<Set<string>> {
  const text = await (await fetch(metricsUrl, { headers: { accept: 'text/plain' } })).text();
  return new Set(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => /^[a-zA-Z_:][\w:]*/.exec(line)?.[0] ?? ''),
  );
}

/** Whether a metric family is among these sample names (a histogram by its series, a counter with or without _total). */
export function familyServed(served: Set<string>, name: string): boolean {
  return (
    ['', '_bucket', '_sum', '_count', '_total'].some((suffix) => served.has(name + suffix)) ||
    served.has(name.replace(/_total$/, ''))
  );
}
