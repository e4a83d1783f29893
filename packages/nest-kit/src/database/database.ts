import { type MixedList, DataSource, type EntitySchema } from 'typeorm';
import { type PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { type ReadinessCheck } from '../health/readiness';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = MixedList<Function | string | EntitySchema>;

export interface ServiceDatabaseConfig {
  /** The PostgreSQL schema the service owns; its migrations table lives there too. */
  schema: string;
  entities: ClassList;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * The one way a service's DataSource is configured: its own schema and migrations table,
 * never `synchronize`, bounded connection waits so a dead database fails fast.
 */
export function postgresOptions(opts: {
  url: string;
  applicationName: string;
  poolMax?: number;
  database: ServiceDatabaseConfig;
}): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: opts.url,
    schema: opts.database.schema,
    entities: opts.database.entities,
    migrations: opts.database.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+, and pgcrypto is a trusted extension.
    uuidExtension: 'pgcrypto',
    applicationName: opts.applicationName,
    extra: {
      max: opts.poolMax ?? 10,
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
    },
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe schema name ${name}`);
  return `"${name}"`;
}

/** Creates the service's schema if needed and applies pending migrations; returns their names. */
export async function runMigrations(options: PostgresConnectionOptions): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const ds = new DataSource(options);
  await ds.initialize();
  try {
    // The migrations table lives in the schema, so the schema must exist before TypeORM looks.
    await ds.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/**
 * The SQL TypeORM would run to make the database match the entities. Empty after all
 * migrations applied means entities and migrations agree.
 */
export async function schemaDrift(options: PostgresConnectionOptions): Promise<string[]> {
  const ds = new DataSource(options);
  await ds.initialize();
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}

export class DatabaseReadinessCheck implements ReadinessCheck {
  readonly name = 'postgres';
  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<{ ok: boolean; detail?: string }> {
    await this.dataSource.query('SELECT 1');
    return { ok: true };
  }
}
