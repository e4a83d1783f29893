import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type DurableConsumer, NatsBus } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type CallControlEnv } from '../config/env.schema';
import { RecordingsService } from './recordings.service';

/**
 * Takes `media.v1.recording.completed` from JetStream with one durable consumer shared by
 * every replica: a recording is acked only once its row is written and its status event
 * published, and redelivered otherwise.
 */
@Injectable()
export class RecordingCompletionsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: DurableConsumer | undefined;

  constructor(
    private readonly bus: NatsBus,
    private readonly recordings: RecordingsService,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await this.bus.consumeDurable({
      stream: 'PARLEY_MEDIA',
      durable: this.env.RECORDINGS_CONSUMER,
      subject: 'media.v1.recording.completed',
      handler: (event) => this.recordings.complete(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
