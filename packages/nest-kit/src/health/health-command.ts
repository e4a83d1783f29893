import { Controller, type Type } from '@nestjs/common';
import { type CommandRequest, type CommandSubject, type HealthReportV1 } from '@parley/contracts';
import { CommandHandler, CommandPayload } from '../nats/decorators';
import { HealthReportService } from './health-report.service';

/** A controller answering `<domain>.v1.health.check` for the given service's domain. */
export function healthCommandController(subject: CommandSubject): Type<unknown> {
  @Controller()
  class HealthCommandController {
    constructor(readonly health: HealthReportService) {}

    @CommandHandler(subject)
    check(
      @CommandPayload(subject) _request: CommandRequest<typeof subject>,
    ): Promise<HealthReportV1> {
      return this.health.report();
    }
  }
  return HealthCommandController;
}
