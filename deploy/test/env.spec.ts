import { randomBytes } from 'node:crypto';
import {
  type K8sObject,
  parseYamlDocuments,
  readText,
  renderKustomization,
  serviceNames,
} from './support/repo';
import {
  envVariables,
  migrateVariables,
  requiredEnvVariables,
  serviceEnvSchema,
  streamsVariables,
  type EnvSchema,
} from './support/env-schemas';
import { byKind, containerEnv, type Container, type Workload } from './support/kubernetes';
import { dockerfileStages, stageEnv } from './support/dockerfile';

const SERVICES = serviceNames();
const schemas = new Map<string, EnvSchema>(SERVICES.map((s) => [s, serviceEnvSchema(s)]));
const schema = (s: string): EnvSchema => schemas.get(s) as EnvSchema;

/** The media image's paths (its Dockerfile ENV) that media's schema checks exist on disk. */
const mediaImageEnv = stageEnv(dockerfileStages(), 'media');
const IMAGE_PATHS = ['MEDIASOUP_WORKER_BIN', 'RTPENGINE_BIN'];

/**
 * The service's own schema accepts this environment: every variable is one it reads, and
 * it starts (required ones set, values valid, production rules met). Paths inside the image
 * cannot exist here: those must be what the Dockerfile installs.
 */
function expectServiceStarts(service: string, env: Record<string, string>, where: string): void {
  const known = new Set(envVariables(schema(service)));
  expect({ where, unknown: Object.keys(env).filter((k) => !known.has(k)) }).toEqual({
    where,
    unknown: [],
  });
  // The process sees its image's ENV overlaid by what the orchestrator sets.
  const imageEnv = stageEnv(dockerfileStages(), service);
  for (const k of Object.keys(imageEnv))
    expect({ where, image: k, known: known.has(k) }).toEqual({ where, image: k, known: true });
  const result = schema(service).safeParse({ ...imageEnv, ...env });
  const problems = (result.error?.issues ?? [])
    .filter(
      (i) => !(IMAGE_PATHS.includes(String(i.path[0])) && i.message === 'no file at this path'),
    )
    .map((i) => `${i.path.join('.')}: ${i.message}`);
  expect({ where, problems }).toEqual({ where, problems: [] });
  for (const name of IMAGE_PATHS.filter((n) => known.has(n))) {
    const value = env[name] ?? mediaImageEnv[name];
    expect({ where, name, value }).toEqual({ where, name, value: mediaImageEnv[name] });
  }
}

describe('the services read their environment from their env schemas', () => {
  it('finds every service schema and its required variables', () => {
    expect(SERVICES).toEqual([
      'call-control',
      'twiml-interpreter',
      'consent',
      'webhook-dispatch',
      'media',
    ]);
    // Only media has a variable without default; the rest are checked per mode below.
    expect(requiredEnvVariables(schema('media'))).toEqual(['MEDIASOUP_WORKER_BIN']);
    for (const s of SERVICES.filter((s) => s !== 'media'))
      expect(requiredEnvVariables(schema(s))).toEqual([]);
  });

  it('refuses a production call-control without its secrets key (the check is real)', () => {
    const result = schema('call-control').safeParse({ NODE_ENV: 'production' });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['PARLEY_SECRETS_KEY']);
  });
});

describe.each(['dev', 'production'])('Kubernetes %s overlay environment', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderKustomization(`deploy/kubernetes/overlays/${overlay}`);
  });

  it.each(SERVICES)('starts %s: every variable read by its schema, every required one set', (s) => {
    const deployment = byKind<Workload>(objects, 'Deployment').find((d) => d.metadata.name === s);
    const container = deployment?.spec.template.spec.containers[0] as Container;
    const { values } = containerEnv(objects, container);
    expect(values.NODE_ENV).toBe('production');
    expectServiceStarts(s, values, `${overlay}/${s}`);
  });

  it('gives the set-up jobs only what their commands read', () => {
    const jobs = byKind<Workload>(objects, 'Job');
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const allowed = c.command?.includes('dist/migrate.js')
          ? migrateVariables()
          : streamsVariables();
        const names = Object.keys(containerEnv(objects, c).values);
        expect({ c: c.name, extra: names.filter((n) => !allowed.includes(n)) }).toEqual({
          c: c.name,
          extra: [],
        });
        if (c.command?.includes('dist/migrate.js')) expect(names).toContain('DATABASE_URL');
        else expect(names).toContain('NATS_URL');
      }
    }
  });
});

describe('compose.yaml environment', () => {
  type ComposeService = {
    image?: string;
    command?: string[];
    environment?: Record<string, string | number>;
    build?: { target?: string };
    network_mode?: string;
  };
  /** What the operator's .env holds (compose refuses to start without the `:?` ones). */
  const operatorEnv: Record<string, string> = {
    POSTGRES_PASSWORD: 'compose-secret',
    PARLEY_SECRETS_KEY: randomBytes(32).toString('base64'),
    PARLEY_PUBLIC_URL: 'https://parley.example.com',
    META_WEBHOOK_VERIFY_TOKEN: 'a-long-random-verify-token',
    RTPENGINE_INTERFACE: '203.0.113.10',
  };
  /** Compose's interpolation: ${V}, ${V:-default}, ${V:?error}, innermost first. */
  function interpolate(value: string): string {
    let out = value;
    for (let i = 0; i < 5 && /\$\{/.test(out); i += 1) {
      out = out.replace(
        /\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^${}]*))?\}/g,
        (_m, name: string, op?: string, arg?: string) => {
          const set = operatorEnv[name];
          if (set !== undefined && set !== '') return set;
          if (op?.endsWith('?')) throw new Error(`compose would refuse to start: ${arg ?? name}`);
          return arg ?? '';
        },
      );
    }
    return out;
  }
  const compose = parseYamlDocuments(readText('deploy/compose.yaml'), 'deploy/compose.yaml')[0] as {
    services: Record<string, ComposeService>;
  };
  const envOf = (svc: ComposeService): Record<string, string> =>
    Object.fromEntries(
      Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
    );

  it.each(SERVICES)('starts %s with variables its schema reads and accepts', (s) => {
    const svc = compose.services[s] as ComposeService;
    expect(svc.build?.target).toBe(s);
    const env = envOf(svc);
    expect(env.NODE_ENV).toBe('production');
    expectServiceStarts(s, env, `compose/${s}`);
  });

  it('migrates every service and creates the streams before the services start', () => {
    for (const s of SERVICES) {
      const migrate = compose.services[`migrate-${s}`] as ComposeService;
      expect(migrate.command).toEqual(['node', 'dist/migrate.js']);
      expect(migrate.image).toMatch(new RegExp(`^parley/${s}:`));
      expect(Object.keys(envOf(migrate))).toEqual(migrateVariables());
      expect((compose.services[s] as { depends_on: Record<string, unknown> }).depends_on).toEqual({
        [`migrate-${s}`]: { condition: 'service_completed_successfully' },
        streams: { condition: 'service_completed_successfully' },
      });
    }
    const streams = compose.services.streams as ComposeService;
    expect(streams.command).toEqual([
      'node',
      'node_modules/@parley/contracts/dist/nats/ensure-streams-cli.js',
    ]);
    for (const name of Object.keys(envOf(streams))) expect(streamsVariables()).toContain(name);
  });

  it('refuses to start without the secrets (no default for any of them)', () => {
    const text = readText('deploy/compose.yaml');
    for (const name of ['POSTGRES_PASSWORD', 'PARLEY_SECRETS_KEY', 'META_WEBHOOK_VERIFY_TOKEN']) {
      expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?`));
      expect(text).not.toMatch(new RegExp(`\\$\\{${name}:-`));
    }
  });
});
