import { Injectable } from '@nestjs/common';
import { type StreamEndedV1, type StreamStartedV1 } from '@parley/contracts';
import { DurableEventHandler } from '@parley/nest-kit';
import { StreamsService } from './streams.service';

/**
 * Takes media's `media.v1.stream.started` and `.ended` from JetStream (durable consumers
 * shared by every replica, `call-control.stream-*` in the subject registry): each is acked
 * once the Stream row is written and its status event published, and redelivered
 * otherwise (a repeat writes the same row and is de-duplicated by JetStream).
 */
@Injectable()
export class StreamEventsConsumer {
  constructor(private readonly streams: StreamsService) {}

  @DurableEventHandler('call-control.stream-starts')
  async onStarted(event: StreamStartedV1): Promise<void> {
    await this.streams.started(event);
  }

  @DurableEventHandler('call-control.stream-ends')
  async onEnded(event: StreamEndedV1): Promise<void> {
    await this.streams.ended(event);
  }
}
