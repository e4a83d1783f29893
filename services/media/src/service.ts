import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type MediaEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { MediaSessionEntity } from './sessions/media-session.entity';
import { SessionsModule } from './sessions/sessions.module';
import { WorkersModule } from './workers/workers.module';

export const service: ServiceDefinition<MediaEnv> = {
  name: 'media',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'media', entities: [MediaSessionEntity], migrations },
  imports: () => [WorkersModule, SessionsModule],
};
