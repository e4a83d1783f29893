import { Injectable } from '@nestjs/common';
import { type LegFailedV1 } from '@parley/contracts';
import { DurableEventHandler } from '@parley/nest-kit';
import { CallEndings } from './call-endings.service';

/**
 * Takes `media.v1.leg.failed` from JetStream with one durable consumer shared by every
 * replica (`call-control.leg-failures` in the subject registry): a failure is acked once
 * the call's end is committed (its Meta and media effects then run on their own), and
 * redelivered otherwise. A repeat finds the call ended and does nothing.
 */
@Injectable()
export class LegFailuresConsumer {
  constructor(private readonly endings: CallEndings) {}

  @DurableEventHandler('call-control.leg-failures')
  async onLegFailed(event: LegFailedV1): Promise<void> {
    await this.endings.onLegFailed(event);
  }
}
