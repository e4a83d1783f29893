import { Module } from '@nestjs/common';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { EdgeModule } from '../edge/edge.module';
import { InstancesModule } from '../instances/instances.module';
import { WhatsAppLegsModule } from '../whatsapp-legs/whatsapp-legs.module';
import { WorkersModule } from '../workers/workers.module';
import { LegFailureReporter } from './leg-failure-reporter.service';
import { LegRegistry } from './leg-registry';
import { LegRtpMetrics } from './leg-rtp-metrics';
import { LegSetupService } from './leg-setup.service';
import { LegSupervisionService } from './leg-supervision.service';
import { LegTakeoverService } from './leg-takeover.service';
import { LegsController } from './legs.controller';
import { MediaClock } from './media-clock';

@Module({
  imports: [WorkersModule, EdgeModule, WhatsAppLegsModule, InstancesModule],
  controllers: [LegsController],
  providers: [
    LegRegistry,
    LegSetupService,
    LegSupervisionService,
    LegFailureReporter,
    LegTakeoverService,
    LegRtpMetrics,
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
  exports: [LegRegistry, MediaClock],
})
export class LegsModule {}
