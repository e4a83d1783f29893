import { DataSource } from 'typeorm';
import { type BaseEnv } from '../config/env';
import { type ServiceDefinition } from '../bootstrap';
import { postgresOptions, runMigrations, schemaDrift } from '../database/database';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * The checks every service's schema must pass, as a jest suite: its migrations apply to
 * an empty database, they describe exactly what its entities declare (no drift), a
 * second run applies nothing, and they revert to an empty schema.
 */
export function describeServiceSchema<E extends BaseEnv>(def: ServiceDefinition<E>): void {
  describe(`${def.name} database schema`, () => {
    let db: TestDatabase;
    const options = () =>
      postgresOptions({ url: db.url, applicationName: 'schema-test', database: def.database });

    beforeAll(async () => {
      db = await createTestDatabase(`${def.name}-schema`);
    });

    afterAll(async () => {
      await db.drop();
    });

    it('applies every migration to an empty database', async () => {
      const applied = await runMigrations(options());
      expect(applied).toHaveLength((def.database.migrations as unknown[]).length);
    });

    it('matches the entities exactly (no drift between entities and migrations)', async () => {
      expect(await schemaDrift(options())).toEqual([]);
    });

    it('applies nothing on a second run', async () => {
      expect(await runMigrations(options())).toEqual([]);
    });

    it(`keeps every table in the ${def.database.schema} schema and reverts cleanly`, async () => {
      const ds = new DataSource(options());
      await ds.initialize();
      try {
        const outside = await ds.query<unknown[]>(
          `SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema', $1)`,
          [def.database.schema],
        );
        expect(outside).toEqual([]);
        for (let i = 0; i < (def.database.migrations as unknown[]).length; i++)
          await ds.undoLastMigration();
        const left = await ds.query<unknown[]>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations'`,
          [def.database.schema],
        );
        expect(left).toEqual([]);
      } finally {
        await ds.destroy();
      }
    });
  });
}
