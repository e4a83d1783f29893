import { Controller } from '@nestjs/common';
import { type CommandReply, type CommandRequest } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '@parley/nest-kit';
import { PermissionChecks } from './permission-checks.service';

/** The consent commands on NATS: each validated at the edge, then handed to the service. */
@Controller()
export class PermissionsController {
  constructor(private readonly checks: PermissionChecks) {}

  @CommandHandler('consent.v1.permission.check')
  check(
    @CommandPayload('consent.v1.permission.check')
    req: CommandRequest<'consent.v1.permission.check'>,
  ): Promise<CommandReply<'consent.v1.permission.check'>> {
    return this.checks.checkCall(req);
  }

  @CommandHandler('consent.v1.permission.release')
  release(
    @CommandPayload('consent.v1.permission.release')
    req: CommandRequest<'consent.v1.permission.release'>,
  ): Promise<CommandReply<'consent.v1.permission.release'>> {
    return this.checks.release(req);
  }

  @CommandHandler('consent.v1.permission.state')
  state(
    @CommandPayload('consent.v1.permission.state')
    req: CommandRequest<'consent.v1.permission.state'>,
  ): Promise<CommandReply<'consent.v1.permission.state'>> {
    return this.checks.state(req);
  }

  @CommandHandler('consent.v1.permission-request.reserve')
  reserveRequest(
    @CommandPayload('consent.v1.permission-request.reserve')
    req: CommandRequest<'consent.v1.permission-request.reserve'>,
  ): Promise<CommandReply<'consent.v1.permission-request.reserve'>> {
    return this.checks.reserveRequest(req);
  }

  @CommandHandler('consent.v1.permission-request.settle')
  settleRequest(
    @CommandPayload('consent.v1.permission-request.settle')
    req: CommandRequest<'consent.v1.permission-request.settle'>,
  ): Promise<CommandReply<'consent.v1.permission-request.settle'>> {
    return this.checks.settleRequest(req);
  }
}
