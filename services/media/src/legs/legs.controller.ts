import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { LegRegistry } from './leg-registry';
import { LegSetupService } from './leg-setup.service';
import { LegSupervisionService } from './leg-supervision.service';

/** `media.v1.leg.*`: set-up, hold and teardown of WhatsApp legs. */
@Controller()
export class LegsController {
  constructor(
    private readonly setup: LegSetupService,
    private readonly supervision: LegSupervisionService,
    private readonly registry: LegRegistry,
  ) {}

  @CommandHandler('media.v1.leg.answer')
  async answer(
    @CommandPayload('media.v1.leg.answer') req: CommandRequest<'media.v1.leg.answer'>,
  ): Promise<CommandReply<'media.v1.leg.answer'>> {
    return { sdpAnswer: await this.setup.answer(req.callSid, req.sdpOffer) };
  }

  @CommandHandler('media.v1.leg.offer')
  async offer(
    @CommandPayload('media.v1.leg.offer') req: CommandRequest<'media.v1.leg.offer'>,
  ): Promise<CommandReply<'media.v1.leg.offer'>> {
    return { sdpOffer: await this.setup.offer(req.callSid) };
  }

  @CommandHandler('media.v1.leg.apply-answer')
  async applyAnswer(
    @CommandPayload('media.v1.leg.apply-answer') req: CommandRequest<'media.v1.leg.apply-answer'>,
  ): Promise<CommandReply<'media.v1.leg.apply-answer'>> {
    await this.setup.applyAnswer(req.callSid, req.sdpAnswer);
    return { ok: true };
  }

  @CommandHandler('media.v1.leg.close')
  async close(
    @CommandPayload('media.v1.leg.close') req: CommandRequest<'media.v1.leg.close'>,
  ): Promise<CommandReply<'media.v1.leg.close'>> {
    return { closed: await this.supervision.close(req.callSid) };
  }

  @CommandHandler('media.v1.leg.hold')
  hold(
    @CommandPayload('media.v1.leg.hold') req: CommandRequest<'media.v1.leg.hold'>,
  ): CommandReply<'media.v1.leg.hold'> {
    this.registry.require(req.callSid).hold(req.hold);
    return { ok: true };
  }
}
