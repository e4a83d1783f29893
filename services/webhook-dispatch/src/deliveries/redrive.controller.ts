import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryPoller } from './delivery-poller';

/** `webhooks.v1.deliveries.redrive`: failed callbacks go out again, same request and token. */
@Controller()
export class RedriveController {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly poller: DeliveryPoller,
  ) {}

  @CommandHandler('webhooks.v1.deliveries.redrive')
  async redrive(
    @CommandPayload('webhooks.v1.deliveries.redrive')
    req: CommandRequest<'webhooks.v1.deliveries.redrive'>,
  ): Promise<CommandReply<'webhooks.v1.deliveries.redrive'>> {
    const redriven = await this.deliveries.redrive(req);
    if (redriven > 0) this.poller.kick();
    return { redriven };
  }
}
