import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type CallEntity } from './call.entity';
import { CallDomainEvents } from './call-domain-events';
import { CallEndings } from './call-endings.service';
import { CallsRepository } from './calls.repository';

/**
 * `<Dial>` children end with their parent, as Twilio's do. The interpreter hangs a child up
 * when the caller leaves; this is the net for when it cannot (its replica died mid-dial):
 * once the parent's end is committed, every child still running is hung up (canceled
 * while ringing, completed once answered). Ending a call twice is harmless.
 */
@Injectable()
export class ChildCallsCascade implements OnModuleInit {
  constructor(
    private readonly events: CallDomainEvents,
    private readonly calls: CallsRepository,
    private readonly endings: CallEndings,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onModuleInit(): void {
    this.events.on('call.ended', ({ call }) => this.endChildren(call));
  }

  async endChildren(parent: CallEntity): Promise<void> {
    const children = await this.calls.findRunningChildren(parent.sid);
    for (const child of children) {
      try {
        await this.endings.hangup(child.sid, 'parent-ended');
      } catch (error) {
        // The child still ends at its own time limit.
        this.logger.warn(
          { err: error, callSid: child.sid, parentCallSid: parent.sid },
          'could not end a child call with its parent',
        );
      }
    }
  }
}
