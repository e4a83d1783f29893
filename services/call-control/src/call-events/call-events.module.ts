import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallEventEntity } from './call-event.entity';
import { CallEventsController } from './call-events.controller';
import { CallEventsService } from './call-events.service';
import { CallTimeline } from './call-timeline.service';
import { StatusOutbox } from './status-outbox.service';
import { StatusOutboxMetrics } from './status-outbox-metrics';

@Module({
  imports: [TypeOrmModule.forFeature([CallEventEntity])],
  controllers: [CallEventsController],
  providers: [CallTimeline, StatusOutbox, StatusOutboxMetrics, CallEventsService],
  exports: [CallTimeline, StatusOutbox, CallEventsService],
})
export class CallEventsModule {}
