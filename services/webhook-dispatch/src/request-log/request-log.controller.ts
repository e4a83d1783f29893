import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { RequestLogRepository } from './request-log.repository';

/** The request log over NATS, for call-control's Notifications, Alerts and Events APIs. */
@Controller()
export class RequestLogController {
  constructor(private readonly log: RequestLogRepository) {}

  @CommandHandler('webhooks.v1.request-log.list')
  async list(
    @CommandPayload('webhooks.v1.request-log.list')
    req: CommandRequest<'webhooks.v1.request-log.list'>,
  ): Promise<CommandReply<'webhooks.v1.request-log.list'>> {
    return { entries: await this.log.list(req) };
  }

  @CommandHandler('webhooks.v1.request-log.get')
  async get(
    @CommandPayload('webhooks.v1.request-log.get')
    req: CommandRequest<'webhooks.v1.request-log.get'>,
  ): Promise<CommandReply<'webhooks.v1.request-log.get'>> {
    return { entry: await this.log.get(req.accountSid, req.sid) };
  }
}
