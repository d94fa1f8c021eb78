// docker-compose.scale.yml as its tests read it: the replicas of each app, the Redis data nodes and
// Sentinels, and each service's environment as compose would give it with no variable set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redisSentinelDir, scaleComposeFile } from '../src/index.js';
import type { AppName, Env } from './app-config.js';
import { commandArgs, composeDefault, readCompose, type ComposeService } from './support.js';

export const scaleCompose = readCompose(scaleComposeFile);
export const scaleServices = scaleCompose.services;

export function scaleService(name: string): ComposeService {
  const found = scaleServices[name];
  if (!found) throw new Error(`docker-compose.scale.yml has no service ${name}`);
  return found;
}

/** A service's environment with compose's defaults (`${VAR:-default}`) filled in. */
export function environment(name: string): Env {
  return Object.fromEntries(
    Object.entries(scaleService(name).environment ?? {}).map(([key, value]) => [
      key,
      composeDefault(String(value)),
    ]),
  );
}

/** The services built from the Dockerfile target of an app: its replicas. */
export function replicasOf(app: AppName): string[] {
  return Object.entries(scaleServices)
    .filter(([, service]) => service.build?.target === app)
    .map(([name]) => name);
}

/** Services whose command runs a script of deploy/redis-sentinel (`sh <dir>/<script>`). */
function runningScript(script: string): string[] {
  return Object.entries(scaleServices)
    .filter(([, service]) => commandArgs(service).some((arg) => arg.endsWith(`/${script}`)))
    .map(([name]) => name);
}

export const redisNodes = runningScript('start-redis.sh');
export const sentinels = runningScript('start-sentinel.sh');

/** A Redis config file of deploy/redis-sentinel as `directive -> arguments` (each line once). */
export function redisConfig(file: string): Map<string, string[]> {
  const lines = readFileSync(join(redisSentinelDir, file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return new Map(
    lines.map((line) => {
      const words = line.split(/\s+/);
      // Sentinel's directives are two words: `sentinel monitor ...`.
      const directive = words[0] === 'sentinel' ? words.slice(0, 2).join(' ') : words[0]!;
      return [directive, words.slice(directive.split(' ').length)];
    }),
  );
}

/** `sentinel monitor <name> <host> <port> <quorum>` of sentinel.conf. */
export function monitoredGroup(): { name: string; host: string; port: number; quorum: number } {
  const [name, host, port, quorum] = redisConfig('sentinel.conf').get('sentinel monitor') ?? [];
  if (!name || !host || !port || !quorum) throw new Error('sentinel.conf has no `sentinel monitor` line');
  return { name, host, port: Number(port), quorum: Number(quorum) };
}
