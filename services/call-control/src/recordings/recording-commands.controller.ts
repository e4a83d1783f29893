import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { RecordingsService } from './recordings.service';

/** The interpreter's recording commands over NATS (`<Dial record>`). */
@Controller()
export class RecordingCommandsController {
  constructor(private readonly recordings: RecordingsService) {}

  @CommandHandler('calls.v1.recording.start')
  start(
    @CommandPayload('calls.v1.recording.start') req: CommandRequest<'calls.v1.recording.start'>,
  ): Promise<CommandReply<'calls.v1.recording.start'>> {
    return this.recordings.startForInterpreter(req.accountSid, req.callSid, {
      source: req.source,
      channels: req.channels,
      track: req.track,
      statusCallback: req.statusCallback,
      ...(req.otherCallSid ? { otherCallSid: req.otherCallSid } : {}),
      trimSilence: req.trimSilence,
    });
  }
}
