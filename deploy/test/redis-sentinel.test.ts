// The scale stack's Redis Sentinel group (docker-compose.scale.yml, deploy/redis-sentinel): three
// data nodes persisting as the single Redis does, three Sentinels with a majority quorum watching
// the group the apps name, every app and node listing every Sentinel, one password everywhere.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisSentinelDir } from '../src/index.js';
import { APPS, appSettings } from './app-config.js';
import {
  environment,
  monitoredGroup,
  redisConfig,
  redisNodes,
  replicasOf,
  scaleService,
  sentinels,
} from './scale-stack.js';
import { commandArgs, hostFileFor } from './support.js';

const group = monitoredGroup();
const sentinelPort = Number(redisConfig('sentinel.conf').get('port')?.[0]);
const appReplicas = APPS.flatMap((app) => replicasOf(app).map((name) => ({ name, app })));
const script = (name: string) => readFileSync(join(redisSentinelDir, name), 'utf8');

describe('the Redis Sentinel group of the scale stack', () => {
  it('has 3 data nodes and 3 Sentinels on the official redis image, each named as its service', () => {
    expect(redisNodes).toHaveLength(3);
    expect(sentinels).toHaveLength(3);
    for (const name of [...redisNodes, ...sentinels]) {
      expect(scaleService(name).image, name).toMatch(/^redis:\d/);
      // The scripts announce the hostname: the name the others reach the node by.
      expect(scaleService(name).hostname, name).toBe(name);
      expect(scaleService(name).user, name).toBe('redis');
    }
  });

  it('runs each script and config from where it is mounted', () => {
    for (const name of [...redisNodes, ...sentinels]) {
      const [shell, path] = commandArgs(scaleService(name));
      expect(shell).toBe('sh');
      const dir = path!.slice(0, path!.lastIndexOf('/'));
      expect(hostFileFor(scaleService(name), path!), name).toBe(
        join(redisSentinelDir, path!.split('/').pop()!),
      );
      for (const file of ['redis.conf', 'sentinel.conf'])
        expect(hostFileFor(scaleService(name), `${dir}/${file}`), name).toBe(join(redisSentinelDir, file));
    }
  });

  it.each(['start-redis.sh', 'start-sentinel.sh'])('%s is valid sh', (file) => {
    const result = spawnSync('sh', ['-n', join(redisSentinelDir, file)], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  it('data nodes persist with AOF fsynced every second, and never evict under a memory limit', () => {
    const config = redisConfig('redis.conf');
    expect(config.get('appendonly')).toEqual(['yes']);
    expect(config.get('appendfsync')).toEqual(['everysec']);
    expect(config.get('maxmemory')?.[0]).toMatch(/^[1-9]\d*(mb|gb|kb)?$/i);
    expect(config.get('maxmemory-policy')).toEqual(['noeviction']);
  });

  it('a data node starts as what the Sentinels say, and announces its name', () => {
    const start = script('start-redis.sh');
    expect(start).toContain('SENTINEL get-master-addr-by-name');
    for (const directive of ['requirepass', 'masterauth', 'replica-announce-ip', 'replicaof'])
      expect(start).toMatch(new RegExp(`echo "${directive} `));
  });

  it('the Sentinels watch a data node of the group the apps name, with a majority quorum', () => {
    expect(redisNodes).toContain(group.host);
    expect(group.port).toBe(6379);
    expect(group.quorum).toBeGreaterThan(sentinels.length / 2);
    expect(group.quorum).toBeLessThanOrEqual(sentinels.length);
    for (const { name, app } of appReplicas)
      expect(appSettings(app, environment(name)).redis.sentinelName, name).toBe(group.name);
    // Hostnames, so that a recreated container's new address does not matter.
    const config = redisConfig('sentinel.conf');
    expect(config.get('sentinel resolve-hostnames')).toEqual(['yes']);
    expect(config.get('sentinel announce-hostnames')).toEqual(['yes']);
  });

  it('every app replica and every data node lists every Sentinel, on the port it listens on', () => {
    const expected = sentinels.map((name) => ({ host: name, port: sentinelPort }));
    for (const { name, app } of appReplicas)
      expect(appSettings(app, environment(name)).redis.sentinels, name).toEqual(expected);
    for (const name of redisNodes)
      expect(environment(name).REDIS_SENTINELS, name).toBe(environment(appReplicas[0]!.name).REDIS_SENTINELS);
  });

  it('one password: data nodes, Sentinels, apps, exporters and redis-cli', () => {
    const password = environment(redisNodes[0]!).REDIS_PASSWORD!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    // It goes into the nodes' and Sentinels' config files unquoted.
    expect(password).toMatch(/^[\w-]+$/);
    const users = [...redisNodes, ...sentinels, ...appReplicas.map(({ name }) => name)];
    for (const name of users) expect(environment(name).REDIS_PASSWORD, name).toBe(password);
    for (const name of [...redisNodes, ...sentinels])
      expect(environment(name).REDISCLI_AUTH, name).toBe(password);
    const sentinelScript = script('start-sentinel.sh');
    for (const directive of ['sentinel auth-pass', 'sentinel sentinel-pass', 'requirepass'])
      expect(sentinelScript).toContain(`echo "${directive} `);
  });

  it('the Sentinels are health-checked on their port; the apps wait for them', () => {
    for (const name of sentinels)
      expect(scaleService(name).healthcheck?.test, name).toEqual([
        'CMD',
        'redis-cli',
        '-p',
        String(sentinelPort),
        'ping',
      ]);
    for (const { name } of appReplicas) {
      const dependsOn = scaleService(name).depends_on as Record<string, { condition: string }>;
      for (const sentinel of sentinels) expect(dependsOn[sentinel]?.condition, name).toBe('service_healthy');
    }
  });
});
