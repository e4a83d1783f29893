import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { type BaseEnv, ConfigError, baseEnvSchema, loadEnv } from './config/env';
import { type ServiceDefinition } from './bootstrap';
import { postgresOptions, runMigrations } from './database/database';

/** The version in the nearest package.json above `dir` (a service's own). */
export function packageVersion(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}

/**
 * What the database tools read: DATABASE_URL only. Migrating needs none of the service's
 * run-time settings (media's mediasoup worker binary, Meta credentials...).
 */
const databaseEnvSchema = baseEnvSchema({ httpPort: 0 }).pick({ DATABASE_URL: true });

/** The service's DataSource for the TypeORM CLI (`migration:generate`, `migration:show`). */
export function serviceDataSource<E extends BaseEnv>(def: ServiceDefinition<E>): DataSource {
  const env = loadEnv(def.name, databaseEnvSchema, process.env);
  return new DataSource(
    postgresOptions({
      url: env.DATABASE_URL,
      applicationName: `${def.name}/cli`,
      database: def.database,
    }),
  );
}

/** `node dist/migrate.js`: apply the service's pending migrations and exit. */
export function runMigrationsCli<E extends BaseEnv>(def: ServiceDefinition<E>): void {
  const run = async () => {
    const env = loadEnv(def.name, databaseEnvSchema, process.env);
    const applied = await runMigrations(
      postgresOptions({
        url: env.DATABASE_URL,
        applicationName: `${def.name}/migrate`,
        database: def.database,
      }),
    );
    process.stdout.write(
      applied.length
        ? `${def.name}: applied ${applied.join(', ')}\n`
        : `${def.name}: schema up to date\n`,
    );
  };
  run().catch((error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `${def.name}: migrations failed: ${String(error)}\n`,
    );
    process.exit(error instanceof ConfigError ? 78 : 1);
  });
}
