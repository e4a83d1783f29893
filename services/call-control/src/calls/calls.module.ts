import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationsModule } from '../applications/applications.module';
import { CallEventsModule } from '../call-events/call-events.module';
import { SendersModule } from '../senders/senders.module';
import { CallEntity } from './call.entity';
import { CallEffectEntity } from './call-effect.entity';
import { CallEffects } from './call-effects.service';
import { CallCommandsController } from './call-commands.controller';
import { CallDomainEvents } from './call-domain-events';
import { CallEndings } from './call-endings.service';
import { CallMetrics } from './call-metrics';
import { CallStateService } from './call-state.service';
import { CallTimers } from './call-timers.service';
import { ChildCallsCascade } from './child-calls-cascade.service';
import { CallsController } from './calls.controller';
import { CallsRepository } from './calls.repository';
import { CallsService } from './calls.service';
import { InboundCalls } from './inbound-calls.service';
import { LegFailuresConsumer } from './leg-failures.consumer';
import { OutboundCalls } from './outbound-calls.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([CallEntity, CallEffectEntity]),
    CallEventsModule,
    SendersModule,
    ApplicationsModule,
  ],
  controllers: [CallsController, CallCommandsController],
  providers: [
    CallDomainEvents,
    CallsRepository,
    CallEffects,
    CallStateService,
    CallEndings,
    OutboundCalls,
    InboundCalls,
    CallsService,
    CallTimers,
    ChildCallsCascade,
    LegFailuresConsumer,
    CallMetrics,
  ],
  exports: [
    CallDomainEvents,
    CallsRepository,
    OutboundCalls,
    InboundCalls,
    CallEndings,
    CallTimers,
    CallStateService,
    CallEffects,
  ],
})
export class CallsModule {}
