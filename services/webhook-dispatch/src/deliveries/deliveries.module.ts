import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequestLogModule } from '../request-log/request-log.module';
import { SigningKeys } from '../signing/signing-keys';
import { CallbackIntake } from './callback-intake';
import { callbackSenderProvider } from './callback-sender.provider';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryPoller } from './delivery-poller';
import { DeliveryWorker } from './delivery-worker';
import { RedriveController } from './redrive.controller';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookDeliveryEntity]), RequestLogModule],
  controllers: [RedriveController],
  providers: [
    DeliveriesRepository,
    DeliveryMetrics,
    SigningKeys,
    callbackSenderProvider,
    DeliveryWorker,
    DeliveryPoller,
    CallbackIntake,
  ],
  exports: [TypeOrmModule, DeliveriesRepository],
})
export class DeliveriesModule {}
