import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { BridgesService } from './bridges.service';

/** `media.v1.bridge.*`: two legs hearing each other. */
@Controller()
export class BridgesController {
  constructor(private readonly bridges: BridgesService) {}

  @CommandHandler('media.v1.bridge.create')
  create(
    @CommandPayload('media.v1.bridge.create') req: CommandRequest<'media.v1.bridge.create'>,
  ): CommandReply<'media.v1.bridge.create'> {
    this.bridges.create(req.callSid, req.otherCallSid);
    return { ok: true };
  }

  @CommandHandler('media.v1.bridge.destroy')
  destroy(
    @CommandPayload('media.v1.bridge.destroy') req: CommandRequest<'media.v1.bridge.destroy'>,
  ): CommandReply<'media.v1.bridge.destroy'> {
    this.bridges.destroy(req.callSid, req.otherCallSid);
    return { ok: true };
  }
}
