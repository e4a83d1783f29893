import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type TwimlInterpreterEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { CallSessionEntity } from './sessions/call-session.entity';
import { SessionsModule } from './sessions/sessions.module';

export const service: ServiceDefinition<TwimlInterpreterEnv> = {
  name: 'twiml-interpreter',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'twiml_interpreter', entities: [CallSessionEntity], migrations },
  imports: () => [SessionsModule],
};
