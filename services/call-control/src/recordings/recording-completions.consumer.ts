import { Injectable } from '@nestjs/common';
import { type RecordingCompletedV1 } from '@parley/contracts';
import { DurableEventHandler } from '@parley/nest-kit';
import { RecordingsService } from './recordings.service';

/**
 * Takes `media.v1.recording.completed` from JetStream with one durable consumer shared by
 * every replica (`call-control.recording-completions` in the subject registry; the
 * RECORDINGS_CONSUMER variable renames its durable): a recording is acked only once its
 * row is written and its status event published, and redelivered otherwise.
 */
@Injectable()
export class RecordingCompletionsConsumer {
  constructor(private readonly recordings: RecordingsService) {}

  @DurableEventHandler('call-control.recording-completions')
  async onRecordingCompleted(event: RecordingCompletedV1): Promise<void> {
    await this.recordings.complete(event);
  }
}
