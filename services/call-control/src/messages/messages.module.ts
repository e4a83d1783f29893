import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentModule } from '../content/content.module';
import { SendersModule } from '../senders/senders.module';
import { InboundMessages } from './inbound-messages.service';
import { MessageEntity } from './message.entity';
import { MessageOutboxEntity } from './message-outbox.entity';
import { MessageOutbox } from './message-outbox.service';
import { MessageSender } from './message-sender.service';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([MessageEntity, MessageOutboxEntity]),
    SendersModule,
    ContentModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessageOutbox, MessageSender, MessagesService, InboundMessages],
  exports: [InboundMessages, MessageOutbox],
})
export class MessagesModule {}
