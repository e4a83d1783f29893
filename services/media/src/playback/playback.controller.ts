import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { PlaybackService } from './playback.service';

/** `media.v1.play.*`: prompts and digits played to a leg. */
@Controller()
export class PlaybackController {
  constructor(private readonly playback: PlaybackService) {}

  @CommandHandler('media.v1.play.start')
  start(
    @CommandPayload('media.v1.play.start') req: CommandRequest<'media.v1.play.start'>,
  ): CommandReply<'media.v1.play.start'> {
    this.playback.start(req.callSid, req.playId, req.source, req.loop);
    return { playId: req.playId };
  }

  /** Without `playId`: barge-in, every prompt of the leg stops. */
  @CommandHandler('media.v1.play.stop')
  stop(
    @CommandPayload('media.v1.play.stop') req: CommandRequest<'media.v1.play.stop'>,
  ): CommandReply<'media.v1.play.stop'> {
    return { stopped: this.playback.stop(req.callSid, req.playId) };
  }
}
