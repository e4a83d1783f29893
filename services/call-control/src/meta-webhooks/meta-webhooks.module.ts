import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallEventsModule } from '../call-events/call-events.module';
import { CallsModule } from '../calls/calls.module';
import { ContentModule } from '../content/content.module';
import { MessagesModule } from '../messages/messages.module';
import { OutboxModule } from '../outbox/outbox.module';
import { SendersModule } from '../senders/senders.module';
import { InboxMetrics } from './inbox-metrics';
import { MetaWebhookDeliveryEntity } from './meta-webhook-delivery.entity';
import { MetaWebhookEventEntity } from './meta-webhook-event.entity';
import { MetaWebhooksController } from './meta-webhooks.controller';
import { WebhookInbox } from './webhook-inbox.service';
import { WebhookProcessor } from './webhook-processor.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([MetaWebhookEventEntity, MetaWebhookDeliveryEntity]),
    SendersModule,
    CallsModule,
    CallEventsModule,
    MessagesModule,
    OutboxModule,
    ContentModule,
  ],
  controllers: [MetaWebhooksController],
  providers: [WebhookInbox, WebhookProcessor, InboxMetrics],
  exports: [WebhookProcessor],
})
export class MetaWebhooksModule {}
