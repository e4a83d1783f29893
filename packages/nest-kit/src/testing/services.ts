import { randomBytes } from 'node:crypto';
import { type BaseEnv } from '../config/env';
import { bootstrap, type RunningService, type ServiceDefinition } from '../bootstrap';
import { postgresOptions, runMigrations } from '../database/database';
import { createTestDatabase, testNatsUrl, type TestDatabase } from './database';

export interface TestService<E extends BaseEnv> extends RunningService<E> {
  database: TestDatabase;
  /** Closes the service and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts a service exactly as `main.ts` does, in this process, on a random HTTP port,
 * against a fresh database with its migrations applied.
 */
export async function startTestService<E extends BaseEnv>(
  def: ServiceDefinition<E>,
  opts: { env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<TestService<E>> {
  const database = opts.database ?? (await createTestDatabase(def.name));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: database.url,
    NATS_URL: testNatsUrl(),
    INSTANCE_ID: `${def.name}-test-${randomBytes(3).toString('hex')}`,
    SHUTDOWN_GRACE_MS: '1000',
    ...opts.env,
  };
  await runMigrations(
    postgresOptions({ url: env.DATABASE_URL, applicationName: 'migrate', database: def.database }),
  );
  const running = await bootstrap(def, { env, handleSignals: false });
  return {
    ...running,
    database,
    stop: async () => {
      await running.close();
      if (!opts.database) await database.drop();
    },
  };
}
