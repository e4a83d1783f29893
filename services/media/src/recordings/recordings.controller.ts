import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { RecordingsService } from './recordings.service';

/** `media.v1.recording.*`: recordings of legs and bridged pairs. */
@Controller()
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @CommandHandler('media.v1.recording.start')
  async start(
    @CommandPayload('media.v1.recording.start') req: CommandRequest<'media.v1.recording.start'>,
  ): Promise<CommandReply<'media.v1.recording.start'>> {
    await this.recordings.start(req);
    return { recordingSid: req.recordingSid };
  }

  @CommandHandler('media.v1.recording.stop')
  stop(
    @CommandPayload('media.v1.recording.stop') req: CommandRequest<'media.v1.recording.stop'>,
  ): CommandReply<'media.v1.recording.stop'> {
    this.recordings.stop(req.recordingSid);
    return { ok: true };
  }
}
