import { Inject, Injectable } from '@nestjs/common';
import { type CallStatus } from '@parley/contracts';
import { DomainEvents, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type CallEntity } from './call.entity';

/**
 * What calls/ announces to the folders above it (recordings/, ...), in process. Each is
 * emitted by CallStateService once the transition's transaction committed. Other services
 * learn the same from the durable `calls.v1.call.status-changed`.
 */
export interface CallDomainEventMap {
  /** The call became `in-progress`. */
  'call.answered': { call: CallEntity; previous: CallStatus };
  /** The call reached a terminal status (Meta and media are told by CallEndings). */
  'call.ended': { call: CallEntity; previous: CallStatus };
}

@Injectable()
export class CallDomainEvents extends DomainEvents<CallDomainEventMap> {
  constructor(@Inject(PARLEY_LOGGER) logger: ParleyLogger) {
    super(logger);
  }
}
