import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { AccountEntity } from './accounts/account.entity';
import { AccountsModule } from './accounts/accounts.module';
import { envSchema, type CallControlEnv } from './config/env.schema';
import { migrations } from './database/migrations';

export const service: ServiceDefinition<CallControlEnv> = {
  name: 'call-control',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'call_control', entities: [AccountEntity], migrations },
  imports: () => [AccountsModule],
};
