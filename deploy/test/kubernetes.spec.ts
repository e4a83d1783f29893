import { readText, renderKustomization, serviceNames, type K8sObject } from './support/repo';
import {
  byKind,
  containerEnv,
  find,
  selects,
  type Container,
  type Workload,
} from './support/kubernetes';
import { dockerfileStages } from './support/dockerfile';
import { secretNamePattern } from './support/env-schemas';

const OVERLAYS = ['dev', 'production'] as const;
const SERVICES = serviceNames();
/** media holds calls and UDP ports; every other service is stateless and scales on CPU. */
const STATELESS = SERVICES.filter((s) => s !== 'media');

/** The HTTP port each service defaults to, from its env schema's source. */
function defaultHttpPort(service: string): number {
  const m = /baseEnvSchema\(\{\s*httpPort:\s*(\d+)\s*\}\)/.exec(
    readText(`services/${service}/src/config/env.schema.ts`),
  );
  if (!m) throw new Error(`no httpPort default in ${service}'s env schema`);
  return Number(m[1]);
}

/** The routes of nest-kit's health controller (`@Get('healthz')` ...). */
function healthRoutes(): string[] {
  const text = readText('packages/nest-kit/src/health/health.controller.ts');
  return [...text.matchAll(/@Get\('([a-z]+)'\)/g)].map((m) => `/${m[1]}`);
}

function toMillis(seconds: number | undefined): number {
  return (seconds ?? 30) * 1000;
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderKustomization(`deploy/kubernetes/overlays/${overlay}`);
  });

  it('renders into one namespace, with no Secret in it', () => {
    const namespaces = byKind(objects, 'Namespace');
    expect(namespaces).toHaveLength(1);
    const ns = namespaces[0]?.metadata.name;
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      expect([o.kind, o.metadata.namespace]).toEqual([o.kind, ns]);
    }
    expect(byKind(objects, 'Secret')).toEqual([]);
  });

  it.each(SERVICES)('runs %s as a Deployment of its image, probed on /healthz and /readyz', (s) => {
    const deployment = find<Workload>(objects, 'Deployment', s);
    const pod = deployment.spec.template.spec;
    const container = pod.containers.find((c) => c.name === s) as Container;
    expect(container).toBeDefined();
    expect(container.image).toMatch(new RegExp(`(^|/)parley/${s}:[\\w.-]+$`));
    expect(deployment.spec.selector?.matchLabels).toBeDefined();
    expect(
      selects(
        deployment.spec.selector?.matchLabels ?? {},
        deployment.spec.template.metadata.labels,
      ),
    ).toBe(true);

    // One named port, the service's own, which HTTP_PORT sets and the probes use.
    const port = defaultHttpPort(s);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(containerEnv(objects, container).values.HTTP_PORT).toBe(String(port));
    const routes = healthRoutes();
    expect(routes).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });

    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  it.each(SERVICES)('runs %s unprivileged on a read-only root filesystem', (s) => {
    const pod = find<Workload>(objects, 'Deployment', s).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it.each(SERVICES)('gives %s longer to stop than it takes to drain (SHUTDOWN_GRACE_MS)', (s) => {
    const pod = find<Workload>(objects, 'Deployment', s).spec.template.spec;
    const container = pod.containers[0] as Container;
    const grace = Number(containerEnv(objects, container).values.SHUTDOWN_GRACE_MS);
    expect(grace).toBeGreaterThan(0);
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const preStopMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    expect(toMillis(pod.terminationGracePeriodSeconds)).toBeGreaterThanOrEqual(
      preStopMs + grace + 5_000,
    );
  });

  it.each(SERVICES)(
    'keeps %s available through voluntary disruptions (PodDisruptionBudget)',
    (s) => {
      const labels = find<Workload>(objects, 'Deployment', s).spec.template.metadata.labels;
      const budgets = byKind<
        K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }
      >(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector.matchLabels, labels));
      expect(budgets).toHaveLength(1);
    },
  );

  it('scales the stateless services on CPU, and never media', () => {
    const hpas = byKind<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }>(
      objects,
      'HorizontalPodAutoscaler',
    );
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...STATELESS].sort());
    for (const h of hpas) expect(h.spec.scaleTargetRef.kind).toBe('Deployment');
  });

  it('takes secrets only from Secrets, and puts nothing secret in a ConfigMap', () => {
    const secretName = secretNamePattern();
    for (const cm of byKind<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap')) {
      for (const key of Object.keys(cm.data ?? {})) {
        expect(`${cm.metadata.name}: ${key}`).not.toMatch(secretName);
        expect(`${key}=${cm.data?.[key] ?? ''}`).not.toMatch(/:\/\/[^/@\s]+:[^/@\s]+@/);
      }
    }
    for (const w of [
      ...byKind<Workload>(objects, 'Deployment'),
      ...byKind<Workload>(objects, 'Job'),
    ]) {
      const pod = w.spec.template.spec;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const { source } = containerEnv(objects, c);
        for (const [name, from] of Object.entries(source)) {
          if (secretName.test(name) || name === 'DATABASE_URL') {
            expect(`${w.metadata.name}/${c.name} ${name} from ${from}`).toBe(
              `${w.metadata.name}/${c.name} ${name} from secret`,
            );
          }
        }
      }
    }
  });

  it('opens only call-control to the world; everything else only to monitoring', () => {
    type Policy = K8sObject & {
      spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: string[];
        ingress?: { from?: unknown[]; ports?: { port: string | number }[] }[];
      };
    };
    const policies = byKind<Policy>(objects, 'NetworkPolicy');
    const denyAll = policies.filter(
      (p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 && !p.spec.ingress,
    );
    expect(denyAll).toHaveLength(1);
    expect(denyAll[0]?.spec.policyTypes).toEqual(['Ingress']);
    const openToAll = policies.filter((p) => (p.spec.ingress ?? []).some((rule) => !rule.from));
    expect(
      openToAll.map((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name']),
    ).toEqual(['call-control']);
    expect(openToAll[0]?.spec.ingress?.[0]?.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });

  it('gives media host networking, one pod per node, and the node address for WhatsApp', () => {
    const deployment = find<Workload>(objects, 'Deployment', 'media');
    const pod = deployment.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const antiAffinity =
      pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(antiAffinity).toHaveLength(1);
    expect(antiAffinity?.[0]?.topologyKey).toBe('kubernetes.io/hostname');
    expect(
      selects(
        antiAffinity?.[0]?.labelSelector.matchLabels ?? {},
        deployment.spec.template.metadata.labels,
      ),
    ).toBe(true);
    const env = (pod.containers[0] as Container).env ?? [];
    const field = (name: string) =>
      env.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    expect(field('RTPENGINE_INTERFACE')).toBe('status.podIP');
    expect(field('RTPENGINE_ANNOUNCED_ADDRESS')).toBe('status.hostIP');
    // A surge pod could not bind the ports the old one holds on the same node.
    expect(
      (deployment.spec as unknown as { strategy: { rollingUpdate: { maxSurge: number } } }).strategy
        .rollingUpdate.maxSurge,
    ).toBe(0);
  });

  it('migrates every service with its own image, then creates the streams', () => {
    type JobObject = Workload & { spec: { template: { spec: { restartPolicy: string } } } };
    const migrate = find<JobObject>(objects, 'Job', 'parley-migrate').spec.template.spec;
    const steps = [...(migrate.initContainers ?? []), ...migrate.containers];
    expect(steps.map((c) => c.name).sort()).toEqual([...SERVICES].sort());
    for (const c of steps) {
      expect(c.image).toMatch(new RegExp(`(^|/)parley/${c.name}:`));
      expect(c.command).toEqual(['node', 'dist/migrate.js']);
    }
    const streams = find<JobObject>(objects, 'Job', 'parley-streams').spec.template.spec;
    expect(streams.containers.map((c) => c.command)).toEqual([
      ['node', 'node_modules/@parley/contracts/dist/nats/ensure-streams-cli.js'],
    ]);
    expect(containerEnv(objects, streams.containers[0] as Container).values.NATS_URL).toEqual(
      containerEnv(
        objects,
        find<Workload>(objects, 'Deployment', 'consent').spec.template.spec
          .containers[0] as Container,
      ).values.NATS_URL,
    );
  });

  it('uses only images the Dockerfile builds', () => {
    const targets = new Set(dockerfileStages().map((s) => s.name));
    for (const w of [
      ...byKind<Workload>(objects, 'Deployment'),
      ...byKind<Workload>(objects, 'Job'),
    ]) {
      const pod = w.spec.template.spec;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const target = /(?:^|\/)parley\/([a-z-]+):/.exec(c.image)?.[1];
        expect(target && targets.has(target) ? target : `${c.image} (no such target)`).toBe(target);
      }
    }
  });
});
