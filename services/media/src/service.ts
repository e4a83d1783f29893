import { packageVersion, type ServiceDefinition } from '@parley/nest-kit';
import { envSchema, type MediaEnv } from './config/env.schema';
import { migrations } from './database/migrations';
import { BridgesModule } from './bridges/bridges.module';
import { DtmfModule } from './dtmf/dtmf.module';
import { InstanceLeaseEntity } from './instances/instance-lease.entity';
import { LegsModule } from './legs/legs.module';
import { PlaybackModule } from './playback/playback.module';
import { RecordingsModule } from './recordings/recordings.module';
import { StreamsModule } from './streams/streams.module';
import { WhatsAppLegEntity } from './whatsapp-legs/whatsapp-leg.entity';
import { WhatsAppLegsModule } from './whatsapp-legs/whatsapp-legs.module';
import { WorkersModule } from './workers/workers.module';

export const service: ServiceDefinition<MediaEnv> = {
  name: 'media',
  version: packageVersion(__dirname),
  envSchema,
  database: { schema: 'media', entities: [WhatsAppLegEntity, InstanceLeaseEntity], migrations },
  imports: () => [
    WorkersModule,
    WhatsAppLegsModule,
    LegsModule,
    PlaybackModule,
    DtmfModule,
    BridgesModule,
    RecordingsModule,
    StreamsModule,
  ],
};
