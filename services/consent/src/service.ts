import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type ConsentEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { CallPermissionEntity } from './permissions/call-permission.entity';
import { PermissionsModule } from './permissions/permissions.module';

export const service: ServiceDefinition<ConsentEnv> = {
  name: 'consent',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'consent', entities: [CallPermissionEntity], migrations },
  imports: () => [PermissionsModule],
};
