import { type K8sObject } from './repo';
import { SAMPLE_FIELDS, SAMPLE_SECRETS } from './env-schemas';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  dnsPolicy?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        topologyKey: string;
        labelSelector: { matchLabels: Record<string, string> };
      }[];
    };
  };
}
export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

export function byKind<T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

export function find<T extends K8sObject = K8sObject>(
  objects: K8sObject[],
  kind: string,
  name: string,
): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found as T;
}

/** Labels `selector` picks every one of (a PDB's or Service's selector matching a pod). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The environment a container starts with: ConfigMaps (envFrom and configMapKeyRef, from
 * the rendered ConfigMaps), literal values, the downward API and Secrets (placeholders).
 * Also says where each variable came from.
 */
export function containerEnv(
  objects: K8sObject[],
  container: Container,
): {
  values: Record<string, string>;
  source: Record<string, 'configmap' | 'value' | 'field' | 'secret'>;
} {
  const values: Record<string, string> = {};
  const source: Record<string, 'configmap' | 'value' | 'field' | 'secret'> = {};
  const configMap = (name: string): Record<string, string> =>
    find<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap', name).data ?? {};
  for (const from of container.envFrom ?? []) {
    if (from.secretRef)
      throw new Error(`${container.name}: envFrom a whole Secret hides which variables it sets`);
    if (!from.configMapRef) continue;
    for (const [k, v] of Object.entries(configMap(from.configMapRef.name))) {
      values[k] = v;
      source[k] = 'configmap';
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      values[e.name] = e.value;
      source[e.name] = 'value';
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const sample = SAMPLE_SECRETS[`${ref.name}/${ref.key}`];
      if (sample === undefined)
        throw new Error(`${container.name}: unknown Secret key ${ref.name}/${ref.key}`);
      values[e.name] = sample;
      source[e.name] = 'secret';
    } else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const v = configMap(ref.name)[ref.key];
      if (v === undefined)
        throw new Error(`${container.name}: ConfigMap ${ref.name} has no ${ref.key}`);
      values[e.name] = v;
      source[e.name] = 'configmap';
    } else if (e.valueFrom?.fieldRef) {
      const v = SAMPLE_FIELDS[e.valueFrom.fieldRef.fieldPath];
      if (v === undefined)
        throw new Error(`${container.name}: unexpected field ${e.valueFrom.fieldRef.fieldPath}`);
      values[e.name] = v;
      source[e.name] = 'field';
    } else {
      throw new Error(`${container.name}: ${e.name} has neither a value nor a known source`);
    }
  }
  return { values, source };
}
