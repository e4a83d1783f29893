import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessageOutboxEntity } from '../outbox/message-outbox.entity';
import { MessageOutbox } from '../outbox/message-outbox.service';

/**
 * The durable-publish outbox of the messaging features (messages/, content/ approvals):
 * an event written in the same transaction as its row, published by one publisher in order.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MessageOutboxEntity])],
  providers: [MessageOutbox],
  exports: [MessageOutbox],
})
export class OutboxModule {}
