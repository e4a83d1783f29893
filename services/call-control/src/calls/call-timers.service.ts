import { Inject, Injectable } from '@nestjs/common';
import { PARLEY_ENV, PeriodicTasks } from '@parley/nest-kit';
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
export class CallTimers {
  constructor(
    private readonly calls: CallsRepository,
    private readonly endings: CallEndings,
    private readonly clock: Clock,
    @Inject(PARLEY_ENV) env: CallControlEnv,
    tasks: PeriodicTasks,
  ) {
    tasks.every('call-timers.due', env.CALL_TIMER_POLL_MS, (signal) => this.runDue(signal));
  }

  /** Acts on every due timer (until `signal` aborts); returns how many calls it ended. */
  async runDue(signal?: AbortSignal): Promise<number> {
    const now = this.clock.now();
    let ended = 0;
    for (const sid of await this.calls.dueRingTimeouts(now, 100)) {
      if (signal?.aborted) break;
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
      if (signal?.aborted) break;
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
