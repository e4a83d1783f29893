import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { SessionsService } from './sessions.service';

/**
 * call-control hands calls over here. The reply only says the call is taken: the
 * document runs in the background, so call-control never waits on a customer's server.
 */
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @CommandHandler('twiml.v1.session.start')
  async start(
    @CommandPayload('twiml.v1.session.start') req: CommandRequest<'twiml.v1.session.start'>,
  ): Promise<CommandReply<'twiml.v1.session.start'>> {
    await this.sessions.start(req);
    return { accepted: true };
  }

  @CommandHandler('twiml.v1.session.redirect')
  async redirect(
    @CommandPayload('twiml.v1.session.redirect') req: CommandRequest<'twiml.v1.session.redirect'>,
  ): Promise<CommandReply<'twiml.v1.session.redirect'>> {
    await this.sessions.redirect(req);
    return { accepted: true };
  }
}
