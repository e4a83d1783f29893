import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentModule } from '../content/content.module';
import { OutboxModule } from '../outbox/outbox.module';
import { SendersModule } from '../senders/senders.module';
import { InboundMessages } from './inbound-messages.service';
import { MessageEntity } from './message.entity';
import { MessageSender } from './message-sender.service';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

@Module({
  imports: [TypeOrmModule.forFeature([MessageEntity]), OutboxModule, SendersModule, ContentModule],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessageSender, MessagesService, InboundMessages],
  exports: [InboundMessages],
})
export class MessagesModule {}
