import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Clock } from '../common/clock';
import { type CallControlEnv } from '../config/env.schema';
import { CallEndings } from './call-endings.service';
import { isUnanswered } from './call-state-machine';
import { CallsRepository } from './calls.repository';

/**
 * Durable call timers: deadlines are columns of the call (`ring_deadline`,
 * `time_limit_deadline`) and this poller acts on the due ones, so a restart loses none.
 * Several replicas may poll; the status transition lets exactly one of them act.
 */
@Injectable()
export class CallTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly calls: CallsRepository,
    private readonly endings: CallEndings,
    private readonly clock: Clock,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.runDue()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'call timer poll failed'))
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, this.env.CALL_TIMER_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Acts on every due timer; returns how many calls it ended. */
  async runDue(): Promise<number> {
    const now = this.clock.now();
    let ended = 0;
    for (const sid of await this.calls.dueRingTimeouts(now, 100)) {
      if (this.stopped) break;
      const call = await this.calls.findBySid(sid);
      if (!call || !isUnanswered(call.status) || !call.ringDeadline || call.ringDeadline > now)
        continue;
      // Never dialed (a crash between create and connect) is a failure, not an unanswered call.
      const to = call.status === 'queued' ? 'failed' : 'no-answer';
      const result = await this.endings.end(call, to, {
        reason: 'timer:ring-timeout',
        meta: call.direction === 'inbound' ? 'reject' : 'terminate',
        detail: { timeoutSec: call.timeoutSec },
        ...(to === 'failed' ? { errorCode: 20503, errorMessage: 'The call was never placed' } : {}),
      });
      if (result.changed) ended++;
    }
    for (const sid of await this.calls.dueTimeLimits(now, 100)) {
      if (this.stopped) break;
      const call = await this.calls.findBySid(sid);
      if (
        !call ||
        call.status !== 'in-progress' ||
        !call.timeLimitDeadline ||
        call.timeLimitDeadline > now
      )
        continue;
      const result = await this.endings.end(call, 'completed', {
        reason: 'timer:time-limit',
        meta: 'terminate',
        detail: { timeLimitSec: call.timeLimitSec },
      });
      if (result.changed) ended++;
    }
    return ended;
  }
}
