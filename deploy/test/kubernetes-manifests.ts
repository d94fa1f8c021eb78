// deploy/kubernetes as the tests read it: the kustomization's resources, each object as its
// kubernetes-models class (validated against the Kubernetes API's schemas), and what a Deployment's
// container is given from ConfigMaps and Secrets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IConfigMap, type IContainer, type IService } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { kubernetesDir } from '../src/index.js';
import type { AppName, Env } from './app-config.js';
import { readYaml } from './support.js';

export interface Kustomization {
  namespace?: string;
  resources: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

export const kustomization = readKustomization();

function readKustomization(): Kustomization {
  return readYaml<Kustomization>(join(kubernetesDir, 'kustomization.yaml'));
}

export interface Manifest {
  file: string;
  object: { apiVersion: string; kind: string; metadata?: { name?: string } };
}

/** Every object of the kustomization's resources (a file may hold several documents). */
export const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(kubernetesDir, file), 'utf8')).map((document) => ({
    file,
    object: document.toJS() as Manifest['object'],
  })),
);

/** The kinds the manifests may hold, each with the class that validates it. */
const MODELS = {
  'v1/ConfigMap': (object: unknown) => new ConfigMap(object as IConfigMap),
  'v1/Service': (object: unknown) => new Service(object as IService),
  'apps/v1/Deployment': (object: unknown) => new Deployment(object as IDeployment),
  'policy/v1/PodDisruptionBudget': (object: unknown) =>
    new PodDisruptionBudget(object as IPodDisruptionBudget),
} as const;

/** The object as its kubernetes-models class; throws for a kind this list does not know. */
export function toModel(object: Manifest['object']): { validate(): void } {
  const model = MODELS[`${object.apiVersion}/${object.kind}` as keyof typeof MODELS];
  if (!model)
    throw new Error(`no schema for ${object.apiVersion} ${object.kind}: add its kubernetes-models class`);
  return model(object);
}

const ofKind = <T>(kind: string, make: (object: unknown) => T): T[] =>
  manifests.filter(({ object }) => object.kind === kind).map(({ object }) => make(object));

export const deployments = ofKind('Deployment', (object) => new Deployment(object as IDeployment));
export const services = ofKind('Service', (object) => new Service(object as IService));
export const configMaps = ofKind('ConfigMap', (object) => new ConfigMap(object as IConfigMap));
export const disruptionBudgets = ofKind(
  'PodDisruptionBudget',
  (object) => new PodDisruptionBudget(object as IPodDisruptionBudget),
);

/** The Deployment whose container runs the app's image (`rnh-api`, `rnh-worker`). */
export function deploymentOf(app: AppName): { deployment: Deployment; container: IContainer } {
  for (const deployment of deployments) {
    const container = deployment.spec?.template.spec?.containers.find(({ image }) => image === `rnh-${app}`);
    if (container) return { deployment, container };
  }
  throw new Error(`no Deployment runs the image rnh-${app}`);
}

export interface SecretRef {
  variable: string;
  name: string;
  key: string;
}

/** What a container is given: plain values (its ConfigMaps', its own), and references to Secrets. */
export function containerEnv(container: IContainer): { values: Env; secrets: SecretRef[] } {
  const values: Env = {};
  const secrets: SecretRef[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error('envFrom a whole Secret: reference each key by name instead');
    const name = source.configMapRef?.name;
    const configMap = configMaps.find((candidate) => candidate.metadata?.name === name);
    if (!configMap) throw new Error(`the ConfigMap ${name} is not among the manifests`);
    Object.assign(values, configMap.data);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) secrets.push({ variable: variable.name, name: secret.name!, key: secret.key });
    else if (variable.value !== undefined) values[variable.name] = variable.value;
    else throw new Error(`${variable.name}: only values and secretKeyRef are read here`);
  }
  return { values, secrets };
}

/** A port of the container by its name (`http`) or number. */
export function containerPortOf(
  container: IContainer,
  port: string | number | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find(({ name }) => name === port)?.containerPort;
}

/** Whether a label selector's matchLabels all hold on these labels. */
export function selects(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/** Seconds a preStop hook waits: `sleep: {seconds}` or `exec: [sleep, N]`; 0 without one. */
export function preStopSeconds(container: IContainer): number {
  const hook = container.lifecycle?.preStop;
  if (hook?.sleep) return hook.sleep.seconds;
  const [command, seconds] = hook?.exec?.command ?? [];
  return command === 'sleep' ? Number(seconds) : 0;
}
