import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type ConsentEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { LEDGER_ENTITIES } from './ledger/entities';
import { PermissionsModule } from './permissions/permissions.module';

export const service: ServiceDefinition<ConsentEnv> = {
  name: 'consent',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'consent', entities: LEDGER_ENTITIES, migrations },
  imports: () => [PermissionsModule],
};
