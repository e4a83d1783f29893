import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ROOT, readText } from './repo';

/** What the tests need of a zod schema (the services' own zod, not this package's). */
export interface EnvSchema {
  safeParse(input: unknown): {
    success: boolean;
    error?: { issues: { path: (string | number)[]; message: string }[] };
  };
}
interface ZodLike {
  _def: { typeName?: string; schema?: ZodLike; innerType?: ZodLike };
  shape?: Record<string, EnvSchema>;
}

/** A service's env schema, loaded from its source (`services/<s>/src/config/env.schema.ts`). */
export function serviceEnvSchema(service: string): EnvSchema {
  // A path, not an import: services export nothing, and this is tooling reading their code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(resolve(ROOT, 'services', service, 'src/config/env.schema.ts')) as {
    envSchema?: EnvSchema;
  };
  if (!mod.envSchema) throw new Error(`services/${service} exports no envSchema`);
  return mod.envSchema;
}

/** The variables a schema reads: the keys of the object inside its refinements. */
export function envVariables(schema: EnvSchema): string[] {
  let node = schema as unknown as ZodLike;
  for (let depth = 0; depth < 20 && !node.shape; depth += 1) {
    const inner = node._def.schema ?? node._def.innerType;
    if (!inner) break;
    node = inner;
  }
  const shape = node.shape;
  if (!shape) throw new Error('not a zod object schema');
  return Object.keys(shape);
}

/** Variables a schema cannot do without (no default, not optional). */
export function requiredEnvVariables(schema: EnvSchema): string[] {
  let node = schema as unknown as ZodLike;
  while (!node.shape && (node._def.schema ?? node._def.innerType)) {
    node = (node._def.schema ?? node._def.innerType) as ZodLike;
  }
  return Object.entries(node.shape ?? {})
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([name]) => name);
}

/**
 * Variables the set-up commands read: `dist/migrate.js` (nest-kit's migrate CLI picks them
 * from the base schema) and the streams CLI (`process.env.X`).
 */
export function migrateVariables(): string[] {
  const pick = /\.pick\(\{([^}]*)\}\)/.exec(readText('packages/nest-kit/src/migrate-cli.ts'));
  if (!pick?.[1]) throw new Error('migrate-cli.ts picks no variables');
  return [...pick[1].matchAll(/([A-Z_]+)\s*:/g)].map((m) => m[1] as string);
}
export function streamsVariables(): string[] {
  const text = readText('packages/contracts/src/nats/ensure-streams-cli.ts');
  return [...new Set([...text.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1] as string))];
}

/** Placeholder values of what the manifests take from Secrets and the downward API. */
export const SAMPLE_SECRETS: Record<string, string> = {
  'parley-database/url': 'postgres://parley:secret@db.example.internal:5432/parley',
  'parley-secrets/secrets-key': randomBytes(32).toString('base64'),
  'parley-secrets/decrypt-keys': randomBytes(32).toString('base64'),
  'parley-secrets/meta-webhook-verify-token': 'a-long-random-verify-token',
  'parley-recordings-s3/access-key-id': 'AKIAEXAMPLE',
  'parley-recordings-s3/secret-access-key': 'example-secret-access-key',
};
export const SAMPLE_FIELDS: Record<string, string> = {
  'metadata.name': 'media-7d9f8-abcde',
  'status.podIP': '10.0.3.7',
  'status.hostIP': '203.0.113.10',
};

/**
 * Variable names whose values are secret: nest-kit's own rule (it hides their values in
 * configuration errors), read from its source so the two never disagree.
 */
export function secretNamePattern(): RegExp {
  const m = /const SECRET_NAME = \/(.+)\/([a-z]*);/.exec(
    readText('packages/nest-kit/src/config/env.ts'),
  );
  if (!m?.[1]) throw new Error('nest-kit has no SECRET_NAME pattern');
  return new RegExp(m[1], m[2]);
}
