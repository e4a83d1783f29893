import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookDeliveryEntity])],
  exports: [TypeOrmModule],
})
export class DeliveriesModule {}
