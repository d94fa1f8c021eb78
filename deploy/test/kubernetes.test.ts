// deploy/kubernetes: every object valid against the Kubernetes API's schemas (kubernetes-models),
// and what an operator relies on, checked against the apps' own config: probes on the paths and
// ports the apps serve, time to finish a shutdown before SIGKILL, disruption budgets that match
// their pods, only variables the apps read, secrets referenced and never written down, a
// production start that the apps accept, and Redis values in step with the apps' Sentinel list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir, kubernetesDir } from '../src/index.js';
import {
  APPS,
  appSettings,
  isSecretVariable,
  knownVariables,
  placeholderSecret,
  SHUTDOWN_STEPS,
  SHUTDOWN_VARIABLE,
  type AppName,
  type Env,
} from './app-config.js';
import {
  configMaps,
  containerEnv,
  containerPortOf,
  deploymentOf,
  disruptionBudgets,
  kustomization,
  manifests,
  preStopSeconds,
  selects,
  services,
  toModel,
} from './kubernetes-manifests.js';
import { readYaml } from './support.js';

/** The app's environment in a pod, with each referenced Secret filled in by a value the app accepts. */
function podEnv(app: AppName): Env {
  const { values, secrets } = containerEnv(deploymentOf(app).container);
  return {
    ...values,
    ...Object.fromEntries(secrets.map(({ variable }) => [variable, placeholderSecret(variable)])),
  };
}

describe('deploy/kubernetes', () => {
  it('lists every manifest in kustomization.yaml, and each one it lists exists', () => {
    const onDisk = readdirSync(kubernetesDir).filter(
      (file) => /\.ya?ml$/.test(file) && !['kustomization.yaml', 'redis-values.yaml'].includes(file),
    );
    expect([...kustomization.resources].sort()).toEqual(onDisk.sort());
  });

  it.each(manifests.map((manifest) => [`${manifest.file}: ${manifest.object.kind}`, manifest] as const))(
    '%s is valid against the Kubernetes API schemas',
    (_, { object }) => {
      expect(object.metadata?.name).toBeTruthy();
      expect(() => toModel(object).validate()).not.toThrow();
    },
  );

  it('writes no Secret: passwords and keys are only referenced', () => {
    expect(manifests.filter(({ object }) => object.kind === 'Secret')).toEqual([]);
    for (const configMap of configMaps)
      expect(Object.keys(configMap.data ?? {}).filter(isSecretVariable), configMap.metadata?.name).toEqual(
        [],
      );
    for (const app of APPS) {
      const { container } = deploymentOf(app);
      const written = (container.env ?? []).filter(
        ({ name, value }) => value !== undefined && isSecretVariable(name),
      );
      expect(written, app).toEqual([]);
    }
  });

  it('references only Secrets whose creation, key by key, deploy/README.md shows', () => {
    // `kubectl create secret generic <name> --from-literal=<key>=...` (lines joined at `\`).
    const commands = readFileSync(join(deployDir, 'README.md'), 'utf8')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.includes('kubectl create secret generic '));
    for (const app of APPS)
      for (const { name, key } of containerEnv(deploymentOf(app).container).secrets) {
        const command = commands.find((line) => line.includes(`create secret generic ${name} `));
        expect(command, `a command that creates the Secret ${name}`).toBeDefined();
        expect(command, `${name}: ${key}`).toContain(`--from-literal=${key}=`);
      }
  });

  it('gives the api and the worker one JOB_SECRET_KEY (the worker opens what the api seals)', () => {
    const [api, worker] = APPS.map((app) =>
      containerEnv(deploymentOf(app).container).secrets.find(({ variable }) => variable === 'JOB_SECRET_KEY'),
    );
    expect(api).toBeDefined();
    expect(worker).toEqual(api);
  });

  it("gives each app's image a registry and a tag in kustomization.yaml", () => {
    for (const app of APPS) {
      const image = kustomization.images?.find(({ name }) => name === deploymentOf(app).container.image);
      expect(image?.newName, app).toBeTruthy();
      expect(image?.newTag, app).toMatch(/^[\w.-]+$/);
      expect(image?.newTag, app).not.toBe('latest');
    }
  });
});

describe.each(APPS)('the %s Deployment', (app) => {
  const { deployment, container } = deploymentOf(app);
  const pod = deployment.spec!.template;
  const settings = appSettings(app, podEnv(app));

  it('runs at least 2 replicas, whose pods its selector picks, spread over nodes', () => {
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2);
    expect(selects(deployment.spec!.selector, pod.metadata?.labels)).toBe(true);
    const spread = pod.spec!.topologySpreadConstraints?.find(
      ({ topologyKey }) => topologyKey === 'kubernetes.io/hostname',
    );
    expect(
      selects(spread?.labelSelector as { matchLabels?: Record<string, string> }, pod.metadata?.labels),
    ).toBe(true);
  });

  it("is given only variables the app's config reads", () => {
    const { values, secrets } = containerEnv(container);
    const given = [...Object.keys(values), ...secrets.map(({ variable }) => variable)];
    const known = knownVariables(app);
    expect(given.filter((variable) => !known.has(variable))).toEqual([]);
  });

  it('starts in production with it: the app accepts the settings, Secrets filled in', () => {
    expect(settings.nodeEnv).toBe('production');
    expect(settings.redis.mode).toBe('sentinel');
  });

  it('is not handed <SERVICE>_PORT variables by the Services of its namespace', () => {
    // A Service called `redis` or `api` would otherwise set REDIS_PORT or API_PORT in the pod.
    expect(pod.spec!.enableServiceLinks).toBe(false);
  });

  it('probes liveness on /health and readiness on /ready, on the port the app listens on', () => {
    const { livenessProbe, readinessProbe, startupProbe } = container;
    expect(livenessProbe?.httpGet?.path).toBe('/health');
    expect(readinessProbe?.httpGet?.path).toBe('/ready');
    // Until the app listens (migrations first), the startup probe holds the liveness probe back.
    expect(startupProbe?.httpGet?.path).toBe('/health');
    for (const probe of [livenessProbe, readinessProbe, startupProbe])
      expect(containerPortOf(container, probe?.httpGet?.port)).toBe(settings.port);
  });

  it(`gives the app time to finish its shutdown (${SHUTDOWN_VARIABLE[app]}) before SIGKILL`, () => {
    const graceMs = pod.spec!.terminationGracePeriodSeconds! * 1000;
    const shutdownMs =
      preStopSeconds(container) * 1000 +
      settings.shutdownDrainMs +
      SHUTDOWN_STEPS[app] * settings.shutdownTimeoutMs;
    expect(graceMs).toBeGreaterThan(shutdownMs);
  });

  it('requests and limits CPU and memory', () => {
    for (const resource of ['cpu', 'memory']) {
      expect(container.resources?.requests?.[resource], `requests.${resource}`).toBeDefined();
      expect(container.resources?.limits?.[resource], `limits.${resource}`).toBeDefined();
    }
  });

  it('is scraped by Prometheus on the port the app serves /metrics on, on every interface', () => {
    const annotations = pod.metadata?.annotations ?? {};
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(settings.metrics).toBeDefined();
    expect(Number(annotations['prometheus.io/port'])).toBe(settings.metrics!.port);
    expect(container.ports?.map(({ containerPort }) => containerPort)).toContain(settings.metrics!.port);
    // The api's metrics listener is on loopback by default: a scraper in another pod would never reach it.
    expect(settings.metrics!.host).toBe('0.0.0.0');
  });

  it('runs as a non-root user on a read-only root file system, the app writing nowhere but /tmp', () => {
    const podSecurity = pod.spec!.securityContext;
    expect(podSecurity?.runAsNonRoot).toBe(true);
    expect(podSecurity?.runAsUser).toBeGreaterThan(0);
    expect(podSecurity?.seccompProfile?.type).toBe('RuntimeDefault');
    const security = container.securityContext;
    expect(security?.readOnlyRootFilesystem).toBe(true);
    expect(security?.allowPrivilegeEscalation).toBe(false);
    expect(security?.capabilities?.drop).toEqual(['ALL']);
    // The api writes PGlite's files under API_DATA_DIR without a PostgreSQL; the worker writes
    // mail as files without an SMTP server.
    if (app === 'api') expect(settings.databaseUrl).toBeDefined();
    else expect(settings.smtpUrl).toBeDefined();
    const tmp = container.volumeMounts?.find(({ mountPath }) => mountPath === '/tmp');
    expect(pod.spec!.volumes?.find(({ name }) => name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('has a PodDisruptionBudget for its pods that lets one go at a time and keeps one', () => {
    const budgets = disruptionBudgets.filter((budget) =>
      selects(budget.spec?.selector, pod.metadata?.labels),
    );
    expect(budgets).toHaveLength(1);
    const { maxUnavailable, minAvailable } = budgets[0]!.spec!;
    const replicas = deployment.spec!.replicas!;
    // Whole numbers here: a percentage would round differently as the replicas change.
    const allowed = maxUnavailable !== undefined ? Number(maxUnavailable) : replicas - Number(minAvailable);
    expect(allowed).toBeGreaterThanOrEqual(1);
    expect(allowed).toBeLessThanOrEqual(replicas - 1);
  });

  it('rolls out without going below its replicas', () => {
    expect(deployment.spec!.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
  });
});

describe('the api Service', () => {
  const { deployment, container } = deploymentOf('api');
  const pod = deployment.spec!.template;
  const settings = appSettings('api', podEnv('api'));
  const service = services.find((candidate) =>
    selects({ matchLabels: candidate.spec?.selector }, pod.metadata?.labels),
  );

  it("sends traffic to the api's pods, on the port the api listens on", () => {
    expect(service).toBeDefined();
    const ports = service!.spec!.ports!.map(({ targetPort }) => containerPortOf(container, targetPort));
    expect(ports).toEqual([settings.port]);
  });

  it('selects no worker pod', () => {
    const worker = deploymentOf('worker').deployment.spec!.template;
    expect(selects({ matchLabels: service!.spec!.selector }, worker.metadata?.labels)).toBe(false);
  });

  it('has the pod keep serving a few seconds after it is deleted, while proxies drop its endpoint', () => {
    // Endpoint removal and SIGTERM start together; the sleep keeps the listener open meanwhile.
    expect(preStopSeconds(container)).toBeGreaterThanOrEqual(5);
  });
});

describe('Redis (redis-values.yaml for the Bitnami chart)', () => {
  interface RedisValues {
    fullnameOverride: string;
    architecture: string;
    auth: { enabled: boolean; sentinel: boolean; existingSecret: string; existingSecretPasswordKey: string };
    commonConfiguration: string;
    replica: { replicaCount: number; resources: { limits: { memory: string } } };
    sentinel: {
      enabled: boolean;
      masterSet: string;
      quorum: number;
      service?: { ports?: { sentinel?: number } };
    };
    metrics: { enabled: boolean };
  }
  const values = readYaml<RedisValues>(join(kubernetesDir, 'redis-values.yaml'));
  const redisDirectives = new Map(
    values.commonConfiguration
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .map(([directive, ...args]) => [directive!, args.join(' ')]),
  );

  it('runs Sentinel: 3 pods of a Redis and a Sentinel each (1 master, 2 replicas), a majority quorum', () => {
    expect(values.architecture).toBe('replication');
    expect(values.sentinel.enabled).toBe(true);
    expect(values.replica.replicaCount).toBe(3);
    expect(values.sentinel.quorum).toBeGreaterThan(values.replica.replicaCount / 2);
    expect(values.sentinel.quorum).toBeLessThanOrEqual(values.replica.replicaCount);
  });

  it.each(APPS)("%s lists every Sentinel of the chart and asks for the chart's master group", (app) => {
    const { redis } = appSettings(app, podEnv(app));
    // The chart's StatefulSet `<fullname>-node` and headless Service `<fullname>-headless`.
    const port = values.sentinel.service?.ports?.sentinel ?? 26379;
    const expected = Array.from({ length: values.replica.replicaCount }, (_, index) => ({
      host: `${values.fullnameOverride}-node-${index}.${values.fullnameOverride}-headless`,
      port,
    }));
    expect(redis.sentinels).toEqual(expected);
    expect(redis.sentinelName).toBe(values.sentinel.masterSet);
  });

  it.each(APPS)("%s reads the Redis password from the chart's Secret and key", (app) => {
    expect(values.auth.enabled).toBe(true);
    // The apps send one password to Redis and to the Sentinels.
    expect(values.auth.sentinel).toBe(true);
    const ref = containerEnv(deploymentOf(app).container).secrets.find(
      ({ variable }) => variable === 'REDIS_PASSWORD',
    );
    expect(ref).toEqual({
      variable: 'REDIS_PASSWORD',
      name: values.auth.existingSecret,
      key: values.auth.existingSecretPasswordKey,
    });
  });

  it('persists with AOF fsynced every second and never evicts, its maxmemory under the memory limit', () => {
    expect(redisDirectives.get('appendonly')).toBe('yes');
    expect(redisDirectives.get('appendfsync')).toBe('everysec');
    expect(redisDirectives.get('maxmemory-policy')).toBe('noeviction');
    const bytes = (size: string) => {
      const [, amount, unit] = /^(\d+)\s*([a-z]*)$/i.exec(size) ?? [];
      const units: Record<string, number> = { mb: 1e6, gb: 1e9, mi: 2 ** 20, gi: 2 ** 30 };
      return Number(amount) * (units[unit!.toLowerCase()] ?? Number.NaN);
    };
    expect(bytes(redisDirectives.get('maxmemory')!)).toBeLessThan(
      bytes(values.replica.resources.limits.memory),
    );
  });

  it('exports Redis metrics (redis_exporter beside each node), as the alert rules expect', () => {
    expect(values.metrics.enabled).toBe(true);
  });
});
