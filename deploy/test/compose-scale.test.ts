// docker-compose.scale.yml: two replicas of each app behind the proxy, on a Redis Sentinel group,
// every replica scraped. Checked structurally (no Docker here): the replicas get settings their
// app accepts, in production too; the observability services are docker-compose.yml's; Prometheus
// scrapes every replica and every Redis node's exporter on the ports the apps' config gives.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  haproxyConfigFile,
  prometheusScaleConfigFile,
  renderPrometheusConfig,
  repoRoot,
  rulesDir,
} from '../src/index.js';
import { APPS, appSettings, knownVariables, SHUTDOWN_STEPS, type AppName } from './app-config.js';
import {
  environment,
  redisNodes,
  replicasOf,
  scaleCompose,
  scaleService,
  scaleServices,
} from './scale-stack.js';
import {
  bindMounts,
  commandArgs,
  findPromtool,
  hostFileFor,
  hostPort,
  promtool,
  readCompose,
  serviceByImage,
} from './support.js';

const single = readCompose();
const serviceNames = Object.keys(scaleServices);
const replicas = APPS.flatMap((app) => replicasOf(app).map((name) => [name, app] as [string, AppName]));
/** What the app makes of a replica's environment, as compose gives it with no variable set. */
const settingsOf = (name: string, app: AppName) => appSettings(app, environment(name));

describe('docker-compose.scale.yml', () => {
  it("is a project of its own: docker-compose.yml's containers and volumes are left alone", () => {
    expect(scaleCompose.name).toBeTruthy();
    expect(scaleCompose.name).not.toBe(single.name);
  });

  it.each(APPS)('runs at least 2 %s replicas, built as docker-compose.yml builds the app', (app) => {
    const names = replicasOf(app);
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) {
      expect(scaleService(name).build, name).toEqual(single.services[app]!.build);
      expect(scaleService(name).image, name).toBe(single.services[app]!.image);
    }
  });

  it('pins every image to a version', () => {
    for (const [name, { image, build }] of Object.entries(scaleServices)) {
      if (build) continue;
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('mounts only files and directories that exist, and declares every named volume', () => {
    for (const [name, service] of Object.entries(scaleServices)) {
      for (const mount of bindMounts(service))
        expect(existsSync(resolve(repoRoot, mount.host)), `${name}: ${mount.host}`).toBe(true);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(scaleCompose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('depends only on its own services', () => {
    for (const [name, service] of Object.entries(scaleServices)) {
      const dependsOn = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dependency of dependsOn) expect(serviceNames, name).toContain(dependency);
    }
  });

  it('publishes ports on localhost only, each host port once; the replicas publish none (the proxy does)', () => {
    const hostPorts = Object.values(scaleServices).flatMap((service) => service.ports ?? []);
    for (const mapping of hostPorts) expect(mapping).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const published = hostPorts.map((mapping) => mapping.split(':')[1]);
    expect(new Set(published).size).toBe(published.length);
    for (const [name] of replicas) expect(scaleService(name).ports, name).toBeUndefined();
  });

  it.each(['postgres', 'mailpit', 'jaeger', 'otel-collector', 'alertmanager', 'grafana'])(
    'runs %s as docker-compose.yml does',
    (name) => {
      expect(scaleService(name)).toEqual(single.services[name]);
    },
  );
});

describe('the replicas in the scale stack', () => {
  it.each(replicas)('%s is given only variables its config reads', (name, app) => {
    const known = knownVariables(app);
    expect(Object.keys(environment(name)).filter((variable) => !known.has(variable))).toEqual([]);
  });

  it.each(replicas)(
    '%s starts with NODE_ENV=production too: secrets long enough, a Redis password, a trusted proxy',
    (name, app) => {
      const settings = appSettings(app, { ...environment(name), NODE_ENV: 'production' });
      expect(settings.nodeEnv).toBe('production');
    },
  );

  it.each(APPS)('every %s replica has the same settings', (app) => {
    const [first, ...others] = replicasOf(app).map((name) => environment(name));
    for (const other of others) expect(other).toEqual(first);
  });

  it.each(replicas)('%s reaches Redis through the Sentinels, with a password', (name, app) => {
    const { redis } = settingsOf(name, app);
    expect(redis.mode).toBe('sentinel');
    expect(redis.password?.length).toBeGreaterThanOrEqual(16);
  });

  it.each(replicas)('%s is health-checked on GET /ready at its config port', (name, app) => {
    const { port } = settingsOf(name, app);
    expect(scaleService(name).healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/ready`);
  });

  it.each(replicas)('%s gets the time its shutdown may take before Docker sends SIGKILL', (name, app) => {
    const settings = settingsOf(name, app);
    const grace = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(scaleService(name).stop_grace_period ?? '');
    const graceMs = (Number(grace?.[1] ?? 0) * 60 + Number(grace?.[2] ?? 0)) * 1000 || 10_000;
    expect(graceMs).toBeGreaterThan(
      settings.shutdownDrainMs + SHUTDOWN_STEPS[app] * settings.shutdownTimeoutMs,
    );
  });

  it.each(replicasOf('api'))(
    '%s keeps serving after SIGTERM until HAProxy has taken it out (two failed /ready checks)',
    (name) => {
      const { shutdownDrainMs } = appSettings('api', environment(name));
      const checks = /default-server .*\binter (\d+)s\b.*\bfall (\d+)\b/.exec(
        readFileSync(haproxyConfigFile, 'utf8'),
      );
      expect(checks).not.toBeNull();
      expect(shutdownDrainMs).toBeGreaterThanOrEqual(Number(checks![1]) * 1000 * Number(checks![2]));
    },
  );

  it('api and worker share one JOB_SECRET_KEY (the worker opens what the api seals)', () => {
    const keys = replicas.map(([name]) => environment(name).JOB_SECRET_KEY);
    expect(new Set(keys).size).toBe(1);
  });
});

describe('Prometheus in the scale stack', () => {
  const [prometheusName, prometheus] = serviceByImage(scaleCompose, 'prom/prometheus');
  const configPath = commandArgs(prometheus)
    .find((arg) => arg.startsWith('--config.file='))!
    .slice('--config.file='.length);
  /** `host:port` of each replica's /metrics, from the app's own settings. */
  const metricsTargets = (app: AppName) =>
    replicasOf(app).map((name) => `${name}:${settingsOf(name, app).metrics!.port}`);
  const exporters = Object.keys(scaleServices).filter(
    (name) => scaleService(name).image?.split(':')[0] === 'oliver006/redis_exporter',
  );

  it('reads prometheus.scale.yml, and the rules where it expects them', () => {
    expect(hostFileFor(prometheus, configPath)).toBe(prometheusScaleConfigFile);
    expect(hostFileFor(prometheus, '/etc/prometheus/rules')).toBe(rulesDir);
  });

  it("runs as docker-compose.yml's Prometheus: same image, flags and rules", () => {
    const base = single.services.prometheus!;
    expect(prometheus.image).toBe(base.image);
    expect(prometheus.command).toEqual(base.command);
    expect(prometheusName).toBe('prometheus');
  });

  it("is prometheus.yml scraping every replica's metrics port and every Redis node's exporter", () => {
    const expected = renderPrometheusConfig({
      targets: {
        api: metricsTargets('api'),
        worker: metricsTargets('worker'),
        redis_exporter: exporters.map((name) => `${name}:9121`),
      },
      ruleFiles: ['rules/*.yml'],
      alertmanagers: [`${serviceByImage(scaleCompose, 'prom/alertmanager')[0]}:9093`],
    });
    expect(parse(readFileSync(prometheusScaleConfigFile, 'utf8'))).toEqual(parse(expected));
  });

  it('has one redis_exporter per Redis node', () => {
    const watched = exporters.map((name) => hostPort(environment(name).REDIS_ADDR!).host);
    expect(watched.sort()).toEqual([...redisNodes].sort());
    for (const name of exporters)
      expect(environment(name).REDIS_PASSWORD, name).toBe(environment(redisNodes[0]!).REDIS_PASSWORD);
  });

  it('promtool check config accepts it with the rules it loads', async () => {
    const result = await promtool(findPromtool(), ['check', 'config', prometheusScaleConfigFile]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/\d+ rule files found/);
  });
});
