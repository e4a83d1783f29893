import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallsModule } from '../calls/calls.module';
import { StreamEventsConsumer } from './stream-events.consumer';
import { StreamEntity } from './stream.entity';
import { StreamsController } from './streams.controller';
import { StreamsService } from './streams.service';

/** Twilio's Stream resource: the Media Streams of calls (media holds the sockets). */
@Module({
  imports: [TypeOrmModule.forFeature([StreamEntity]), CallsModule],
  controllers: [StreamsController],
  providers: [StreamsService, StreamEventsConsumer],
})
export class StreamsModule {}
