import { Controller } from '@nestjs/common';
import { type CallSid, type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { CallEndings } from './call-endings.service';
import { InboundCalls } from './inbound-calls.service';
import { OutboundCalls } from './outbound-calls.service';

/** The commands the interpreter sends about calls, over NATS. */
@Controller()
export class CallCommandsController {
  constructor(
    private readonly inbound: InboundCalls,
    private readonly outbound: OutboundCalls,
    private readonly endings: CallEndings,
  ) {}

  @CommandHandler('calls.v1.call.accept')
  async accept(
    @CommandPayload('calls.v1.call.accept') req: CommandRequest<'calls.v1.call.accept'>,
  ): Promise<CommandReply<'calls.v1.call.accept'>> {
    return { callSid: req.callSid, status: await this.inbound.accept(req.callSid) };
  }

  @CommandHandler('calls.v1.call.reject')
  async reject(
    @CommandPayload('calls.v1.call.reject') req: CommandRequest<'calls.v1.call.reject'>,
  ): Promise<CommandReply<'calls.v1.call.reject'>> {
    return { callSid: req.callSid, status: await this.inbound.reject(req.callSid, req.reason) };
  }

  @CommandHandler('calls.v1.call.hangup')
  async hangup(
    @CommandPayload('calls.v1.call.hangup') req: CommandRequest<'calls.v1.call.hangup'>,
  ): Promise<CommandReply<'calls.v1.call.hangup'>> {
    return { callSid: req.callSid, status: await this.endings.hangup(req.callSid) };
  }

  @CommandHandler('calls.v1.call.dial')
  async dial(
    @CommandPayload('calls.v1.call.dial') req: CommandRequest<'calls.v1.call.dial'>,
  ): Promise<CommandReply<'calls.v1.call.dial'>> {
    const call = await this.outbound.createChild(req);
    return { callSid: call.sid as CallSid, status: call.status };
  }
}
