import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { StreamsService } from './streams.service';

/** `media.v1.stream.*`: Media Streams (TwiML `<Connect><Stream>`, `<Start><Stream>`). */
@Controller()
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @CommandHandler('media.v1.stream.start')
  start(
    @CommandPayload('media.v1.stream.start') req: CommandRequest<'media.v1.stream.start'>,
  ): CommandReply<'media.v1.stream.start'> {
    this.streams.start(req);
    return { streamSid: req.streamSid };
  }

  /** By `streamSid` or `name`; with neither, every stream of the call. */
  @CommandHandler('media.v1.stream.stop')
  stop(
    @CommandPayload('media.v1.stream.stop') req: CommandRequest<'media.v1.stream.stop'>,
  ): CommandReply<'media.v1.stream.stop'> {
    return {
      stopped: this.streams.stop(req.callSid, {
        ...(req.streamSid !== undefined ? { streamSid: req.streamSid } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
      }),
    };
  }
}
