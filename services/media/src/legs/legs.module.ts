import { Module } from '@nestjs/common';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { EdgeModule } from '../edge/edge.module';
import { WhatsAppLegsModule } from '../whatsapp-legs/whatsapp-legs.module';
import { WorkersModule } from '../workers/workers.module';
import { LegsController } from './legs.controller';
import { LegsService } from './legs.service';
import { MediaClock } from './media-clock';

@Module({
  imports: [WorkersModule, EdgeModule, WhatsAppLegsModule],
  controllers: [LegsController],
  providers: [
    LegsService,
    {
      provide: MediaClock,
      inject: [PARLEY_LOGGER],
      useFactory: (logger: ParleyLogger) =>
        new MediaClock({
          onSkip: (skipped) =>
            logger.warn({ skipped }, 'media clock skipped ticks: the event loop stalled'),
        }),
    },
  ],
  exports: [LegsService, MediaClock],
})
export class LegsModule {}
