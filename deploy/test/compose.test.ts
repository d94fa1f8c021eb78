// docker-compose.yml and every config file it mounts agree with each other and with the
// apps: mounted files exist, scrape targets are services on the apps' ports, telemetry,
// mail and data point at the services that serve them, Grafana's uids match the dashboards.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASOURCE_UIDS } from '../../dashboards/src/variables.js';
import {
  alertmanagerConfigFile,
  composePrometheusConfig,
  grafanaProvisioningDir,
  otelCollectorConfigFile,
  repoRoot,
} from '../src/index.js';
import {
  bindMounts,
  composeDefault,
  containerPort,
  hostPort,
  readCompose,
  readYaml,
  serviceByImage,
  type ComposeService,
} from './support.js';

const compose = readCompose();
const services = compose.services;
const serviceNames = Object.keys(services);
const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const env = (name: string, variable: string): string | undefined => {
  const value = service(name).environment?.[variable];
  return value === undefined ? undefined : composeDefault(String(value));
};
const commandArgs = (name: string): string[] => {
  const command = service(name).command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/);
};
const flag = (name: string, option: string): string | undefined =>
  commandArgs(name)
    .find((arg) => arg.startsWith(`${option}=`))
    ?.slice(option.length + 1);
/** The host file mounted at `containerPath` in a service (a file, or inside a mounted directory). */
const hostFileFor = (name: string, containerPath: string): string | undefined => {
  for (const mount of bindMounts(service(name))) {
    if (containerPath === mount.container) return resolve(repoRoot, mount.host);
    if (containerPath.startsWith(`${mount.container}/`))
      return resolve(repoRoot, mount.host, containerPath.slice(mount.container.length + 1));
  }
  return undefined;
};

const readSource = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
/** `port('API_PORT', 3000)` in an app's config module. */
const defaultPort = (source: string, variable: string): number => {
  const match = new RegExp(`port\\('${variable}',\\s*([\\d_]+)\\)`).exec(source);
  if (!match) throw new Error(`no default for ${variable}`);
  return Number(match[1]!.replace(/_/g, ''));
};
const apiConfig = readSource('apps/api/src/config.ts');
const workerConfig = readSource('apps/worker/src/config.ts');
/** Variable names an app reads: its config module, the Redis options, OpenTelemetry's standard ones. */
const knownVariables = (configSource: string): Set<string> => {
  const redisSources = readdirSync(join(repoRoot, 'packages/redis-client/src/config'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readSource(join('packages/redis-client/src/config', file)));
  const names = new Set<string>();
  for (const source of [configSource, ...redisSources]) {
    for (const match of source.matchAll(
      /['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]|^\s+([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):/gm,
    ))
      names.add((match[1] ?? match[2])!);
  }
  return names;
};

const apps = {
  api: {
    port: env('api', 'API_PORT') ?? String(defaultPort(apiConfig, 'API_PORT')),
    // The api serves /metrics on a listener of its own, not on its public port.
    metricsPort: env('api', 'API_METRICS_PORT'),
    config: apiConfig,
  },
  worker: {
    port: env('worker', 'WORKER_PORT') ?? String(defaultPort(workerConfig, 'WORKER_PORT')),
    metricsPort: env('worker', 'WORKER_PORT') ?? String(defaultPort(workerConfig, 'WORKER_PORT')),
    config: workerConfig,
  },
};

describe('docker-compose.yml', () => {
  it('runs the whole stack', () => {
    for (const name of [
      'redis',
      'redis-exporter',
      'prometheus',
      'alertmanager',
      'grafana',
      'otel-collector',
      'jaeger',
      'postgres',
      'mailpit',
      'api',
      'worker',
    ])
      expect(serviceNames).toContain(name);
  });

  it('pins every image to a version', () => {
    for (const [name, { image, build }] of Object.entries(services)) {
      if (build) continue;
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('mounts only files and directories that exist', () => {
    const missing = Object.entries(services).flatMap(([name, svc]) =>
      bindMounts(svc)
        .filter((mount) => !existsSync(resolve(repoRoot, mount.host)))
        .map((mount) => `${name}: ${mount.host}`),
    );
    expect(missing).toEqual([]);
  });

  it('declares every named volume it uses, and depends only on its own services', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
      const dependsOn = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dependency of dependsOn) expect(serviceNames, name).toContain(dependency);
    }
  });

  it('publishes ports on localhost only, each host port once', () => {
    const hostPorts = Object.values(services).flatMap((svc) => svc.ports ?? []);
    for (const mapping of hostPorts) expect(mapping).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const published = hostPorts.map((mapping) => mapping.split(':')[1]);
    expect(new Set(published).size).toBe(published.length);
  });

  it('runs Redis with AOF, a memory limit and noeviction (BullMQ needs it)', () => {
    const args = commandArgs('redis');
    const value = (option: string) => args[args.indexOf(option) + 1];
    expect(value('--appendonly')).toBe('yes');
    expect(value('--maxmemory')).toMatch(/^[1-9]\d*(mb|gb|kb)?$/i);
    expect(value('--maxmemory-policy')).toBe('noeviction');
  });
});

describe('the apps in compose', () => {
  it.each(['api', 'worker'] as const)(
    '%s is built from this repository by the Dockerfile target of its name',
    (name) => {
      const { build } = service(name);
      expect(build?.context).toBe('.');
      expect(build?.target).toBe(name);
      const dockerfile = readFileSync(join(repoRoot, build?.dockerfile ?? 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
    },
  );

  it.each(['api', 'worker'] as const)(
    '%s listens, is published and is health-checked on its config port',
    (name) => {
      const { port } = apps[name];
      const variable = name === 'api' ? 'API_PORT' : 'WORKER_PORT';
      const configDefault = defaultPort(apps[name].config, variable);
      // The compose port is the documented default: README and dashboards say 3000 and 3001.
      expect(Number(port)).toBe(configDefault);
      expect((service(name).ports ?? []).map(containerPort)).toContain(Number(port));
      expect(service(name).healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/`);
    },
  );

  it("api's metrics listener is reachable on the compose network, and not published on the host", () => {
    expect(env('api', 'API_METRICS_HOST')).toBe('0.0.0.0');
    const metricsPort = Number(apps.api.metricsPort);
    expect(metricsPort).not.toBe(Number(apps.api.port));
    expect((service('api').ports ?? []).map(containerPort)).not.toContain(metricsPort);
  });

  it.each(['api', 'worker'] as const)('%s is given only variables its config reads', (name) => {
    const known = knownVariables(apps[name].config);
    const unknown = Object.keys(service(name).environment ?? {}).filter(
      (variable) => !known.has(variable) && !variable.startsWith('OTEL_') && variable !== 'NODE_ENV',
    );
    expect(unknown).toEqual([]);
  });

  it.each(['api', 'worker'] as const)('%s reaches Redis at the redis service', (name) => {
    const { host, port } = hostPort(env(name, 'REDIS_URL')!, 6379);
    expect(host).toBe('redis');
    expect(port).toBe(6379);
  });

  it.each(['api', 'worker'] as const)(
    '%s sends OTLP to the collector, which forwards to the trace store',
    (name) => {
      const endpoint = env(name, 'OTEL_EXPORTER_OTLP_ENDPOINT')!;
      expect(endpoint).toMatch(/^http:\/\//);
      const [collectorName] = serviceByImage(compose, 'otel/opentelemetry-collector');
      const { host, port } = hostPort(endpoint);
      expect(host).toBe(collectorName);

      const configPath = flag(collectorName, '--config')!;
      const hostConfig = hostFileFor(collectorName, configPath);
      expect(hostConfig).toBe(otelCollectorConfigFile);
      const collector = readYaml<{
        receivers: { otlp: { protocols: { http: { endpoint: string } } } };
        exporters: Record<string, { endpoint: string }>;
        service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
      }>(otelCollectorConfigFile);
      // OTLP/HTTP (the apps' exporter) on the port the apps use.
      expect(hostPort(collector.receivers.otlp.protocols.http.endpoint).port).toBe(port);
      expect(collector.service.pipelines.traces.receivers).toContain('otlp');
      for (const exporter of collector.service.pipelines.traces.exporters) {
        expect(hostPort(collector.exporters[exporter]!.endpoint).host).toBe('jaeger');
      }
      expect(serviceNames).toContain('jaeger');
    },
  );

  it('worker sends the mail, to Mailpit', () => {
    expect(hostPort(env('worker', 'SMTP_URL')!)).toEqual({ host: 'mailpit', port: 1025 });
    for (const name of ['api', 'worker']) {
      const smtp = env(name, 'SMTP_URL');
      if (smtp) expect(hostPort(smtp).host, name).toBe('mailpit');
    }
  });

  it('api keeps its data in the postgres service', () => {
    const database = new URL(env('api', 'DATABASE_URL')!);
    expect(database.hostname).toBe('postgres');
    expect(database.username).toBe(env('postgres', 'POSTGRES_USER'));
    expect(database.password).toBe(env('postgres', 'POSTGRES_PASSWORD'));
    expect(database.pathname).toBe(`/${env('postgres', 'POSTGRES_DB')}`);
  });

  it('api starts even with NODE_ENV=production: its session secret is long enough, it trusts its proxy', () => {
    expect(env('api', 'SESSION_SECRET')!.length).toBeGreaterThanOrEqual(32);
    // Production refuses API_TRUST_PROXY off (or true).
    expect(['', 'false', '0', 'true']).not.toContain(env('api', 'API_TRUST_PROXY') ?? '');
  });

  it('Redis has a password, which the api, the worker, the exporter and redis-cli use (production requires one)', () => {
    const args = commandArgs('redis');
    const password = composeDefault(args[args.indexOf('--requirepass') + 1] ?? '');
    expect(password.length).toBeGreaterThanOrEqual(16);
    for (const name of ['api', 'worker', 'redis-exporter'])
      expect(env(name, 'REDIS_PASSWORD'), name).toBe(password);
    expect(env('redis', 'REDISCLI_AUTH')).toBe(password);
  });

  it('api and worker share one JOB_SECRET_KEY, long enough for production (the worker opens what the api seals)', () => {
    expect(env('api', 'JOB_SECRET_KEY')!.length).toBeGreaterThanOrEqual(32);
    expect(env('worker', 'JOB_SECRET_KEY')).toBe(env('api', 'JOB_SECRET_KEY'));
  });
});

describe('Prometheus in compose', () => {
  const config = composePrometheusConfig();
  const scrape = (job: string) => config.scrape_configs.find((candidate) => candidate.job_name === job);

  it('reads the committed prometheus.yml and rules where the config expects them', () => {
    const configPath = flag('prometheus', '--config.file')!;
    expect(hostFileFor('prometheus', configPath)).toBe(resolve(repoRoot, 'deploy/prometheus/prometheus.yml'));
    for (const pattern of config.rule_files ?? []) {
      const inContainer = posix.join(posix.dirname(configPath), pattern);
      const onHost = hostFileFor('prometheus', posix.dirname(inContainer));
      expect(onHost, pattern).toBe(resolve(repoRoot, 'deploy/prometheus/rules'));
    }
  });

  it('stores exemplars (trace ids of the latency histograms)', () => {
    expect(commandArgs('prometheus')).toContain('--enable-feature=exemplar-storage');
  });

  it('scrapes only compose services', () => {
    for (const job of config.scrape_configs)
      for (const target of job.static_configs.flatMap((group) => group.targets))
        expect(serviceNames, `${job.job_name}: ${target}`).toContain(hostPort(target).host);
  });

  it.each(['api', 'worker'] as const)('scrapes %s on its metrics port, its target labels its own', (name) => {
    const job = scrape(name)!;
    expect(apps[name].metricsPort, `${name}'s metrics port`).toBeDefined();
    expect(job.static_configs.flatMap((group) => group.targets)).toEqual([
      `${name}:${apps[name].metricsPort}`,
    ]);
    // The apps must not override target labels (`job`, `instance`): no honor_labels.
    expect(job).not.toHaveProperty('honor_labels');
  });

  it('scrapes redis_exporter, which watches the redis service', () => {
    const [exporterName] = serviceByImage(compose, 'oliver006/redis_exporter');
    expect(scrape('redis_exporter')!.static_configs[0]!.targets).toEqual([`${exporterName}:9121`]);
    expect(hostPort(env(exporterName, 'REDIS_ADDR')!).host).toBe('redis');
    // RnhRedisSystemMemoryHigh needs redis_total_system_memory_bytes, which is opt-in.
    expect(env(exporterName, 'REDIS_EXPORTER_INCL_SYSTEM_METRICS')).toBe('true');
  });

  it('sends alerts to the alertmanager service', () => {
    const [alertmanagerName] = serviceByImage(compose, 'prom/alertmanager');
    const targets = config.alerting!.alertmanagers.flatMap((am) =>
      am.static_configs.flatMap((group) => group.targets),
    );
    expect(targets).toEqual([`${alertmanagerName}:9093`]);
  });
});

describe('Alertmanager', () => {
  const config = readYaml<{
    global: { smtp_smarthost: string };
    route: { receiver: string; routes?: Array<{ receiver?: string }> };
    receivers: Array<{ name: string }>;
  }>(alertmanagerConfigFile);

  it('reads the committed config', () => {
    expect(hostFileFor('alertmanager', flag('alertmanager', '--config.file')!)).toBe(alertmanagerConfigFile);
  });

  it('routes only to receivers it defines', () => {
    const names = config.receivers.map((receiver) => receiver.name);
    for (const receiver of [
      config.route.receiver,
      ...(config.route.routes ?? []).map((route) => route.receiver),
    ])
      if (receiver) expect(names).toContain(receiver);
  });

  it('mails through the mailpit service', () => {
    expect(hostPort(config.global.smtp_smarthost)).toEqual({ host: 'mailpit', port: 1025 });
  });
});

describe('Grafana provisioning', () => {
  interface Datasource {
    name: string;
    uid: string;
    type: string;
    url: string;
    jsonData?: {
      exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }>;
      alertmanagerUid?: string;
      manageAlerts?: boolean;
    };
  }
  const datasources = readYaml<{ datasources: Datasource[] }>(
    join(grafanaProvisioningDir, 'datasources', 'datasources.yml'),
  ).datasources;
  const byUid = new Map(datasources.map((datasource) => [datasource.uid, datasource]));
  const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
    join(grafanaProvisioningDir, 'dashboards', 'dashboards.yml'),
  ).providers;
  const dashboardFiles = readdirSync(join(repoRoot, 'dashboards')).filter((name) =>
    /^rnh-.*\.json$/.test(name),
  );
  const dashboards = dashboardFiles.map(
    (file) =>
      JSON.parse(readFileSync(join(repoRoot, 'dashboards', file), 'utf8')) as {
        uid: string;
        panels: Array<{ datasource?: { uid: string }; targets?: Array<{ datasource?: { uid: string } }> }>;
        templating: {
          list: Array<{ type: string; name: string; query: string; current?: { value: string } }>;
        };
      },
  );

  it('is mounted where Grafana reads it', () => {
    expect(hostFileFor('grafana', '/etc/grafana/provisioning')).toBe(grafanaProvisioningDir);
  });

  it('points every data source at a compose service', () => {
    for (const datasource of datasources)
      expect(serviceNames, datasource.name).toContain(new URL(datasource.url).hostname);
  });

  it('has fixed uids: the ones the dashboards use', () => {
    expect(byUid.get(DATASOURCE_UIDS.prometheus)?.type).toBe('prometheus');
    expect(['jaeger', 'tempo']).toContain(byUid.get(DATASOURCE_UIDS.traces)?.type);
  });

  it('links exemplars (trace_id) to the trace data source', () => {
    const prometheus = byUid.get(DATASOURCE_UIDS.prometheus)!;
    expect(prometheus.jsonData?.exemplarTraceIdDestinations).toEqual([
      { name: 'trace_id', datasourceUid: DATASOURCE_UIDS.traces },
    ]);
  });

  it("shows Prometheus's rules in Grafana, with their Alertmanager", () => {
    const prometheus = byUid.get(DATASOURCE_UIDS.prometheus)!;
    expect(prometheus.jsonData?.manageAlerts).toBe(true);
    expect(byUid.get(prometheus.jsonData!.alertmanagerUid!)?.type).toBe('alertmanager');
  });

  it('mounts every generated dashboard into the provider directory', () => {
    expect(dashboardFiles.length).toBeGreaterThan(0);
    const providerPath = providers[0]!.options.path;
    for (const file of dashboardFiles)
      expect(hostFileFor('grafana', `${providerPath}/${file}`), file).toBe(
        join(repoRoot, 'dashboards', file),
      );
  });

  it('provisions dashboards whose data sources it has', () => {
    for (const dashboard of dashboards) {
      const variable = dashboard.templating.list.find((candidate) => candidate.type === 'datasource')!;
      expect(variable.query, dashboard.uid).toBe('prometheus');
      expect(variable.current?.value, dashboard.uid).toBe(DATASOURCE_UIDS.prometheus);
      const refs = dashboard.panels.flatMap((panel) => [
        panel.datasource?.uid,
        ...(panel.targets ?? []).map((target) => target.datasource?.uid),
      ]);
      for (const uid of refs.filter((ref): ref is string => ref !== undefined))
        expect(uid === `\${${variable.name}}` || byUid.has(uid), `${dashboard.uid}: ${uid}`).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

  it('builds on Node.js 20 with the pnpm that package.json pins, from the lockfile', () => {
    expect(dockerfile).toMatch(/^FROM node:20[\w.-]* AS build$/m);
    expect(dockerfile).toContain("require('./package.json').packageManager");
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
  });

  it.each(['api', 'worker'])('runs %s from its directory with the telemetry preload', (name) => {
    const stage = dockerfile.slice(dockerfile.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm')));
    expect(stage).toMatch(new RegExp(`^WORKDIR /app/apps/${name}$`, 'm'));
    expect(stage).toMatch(
      /CMD \["node", .*"--import", "@rnh\/telemetry\/instrumentation", "dist\/main\.js"\]/,
    );
  });

  it('is not sent node_modules or build output from the host', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git']) expect(ignored).toContain(pattern);
  });
});
