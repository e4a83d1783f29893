import { Inject, Injectable } from '@nestjs/common';
import { type CommandRequestInput, NatsBus } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { CallTimeline } from '../call-events/call-timeline.service';
import { type CallControlEnv } from '../config/env.schema';
import { describeError, clientError } from './client-errors';

interface CallRef {
  sid: string;
  accountSid: string;
}

/** The media service's WhatsApp legs, as call-control uses them. */
@Injectable()
export class MediaClient {
  constructor(
    private readonly bus: NatsBus,
    private readonly timeline: CallTimeline,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  /** User-initiated call: the full-ICE answer to Meta's offer. */
  async answer(call: CallRef, sdpOffer: string): Promise<string> {
    return this.run(call, 'leg.answer', async () => {
      const reply = await this.bus.request(
        'media.v1.leg.answer',
        { callSid: call.sid, accountSid: call.accountSid, sdpOffer },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      );
      return reply.sdpAnswer;
    });
  }

  /** Business-initiated call: the offer for Meta's `connect`. */
  async offer(call: CallRef): Promise<string> {
    return this.run(call, 'leg.offer', async () => {
      const reply = await this.bus.request(
        'media.v1.leg.offer',
        { callSid: call.sid, accountSid: call.accountSid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      );
      return reply.sdpOffer;
    });
  }

  async applyAnswer(call: CallRef, sdpAnswer: string): Promise<void> {
    await this.run(call, 'leg.apply-answer', () =>
      this.bus.request(
        'media.v1.leg.apply-answer',
        { callSid: call.sid, sdpAnswer },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      ),
    );
  }

  /** Starts recording the call's leg; media publishes `recording.completed` at the end. */
  async startRecording(
    call: CallRef,
    recording: Omit<CommandRequestInput<'media.v1.recording.start'>, 'accountSid' | 'callSid'>,
  ): Promise<void> {
    await this.run(call, 'recording.start', () =>
      this.bus.request(
        'media.v1.recording.start',
        { ...recording, accountSid: call.accountSid, callSid: call.sid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      ),
    );
  }

  async stopRecording(call: CallRef, recordingSid: string): Promise<void> {
    await this.run(call, 'recording.stop', () =>
      this.bus.request(
        'media.v1.recording.stop',
        { recordingSid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      ),
    );
  }

  /** Opens a Media Stream on the call's leg; media reports its start and end durably. */
  async startStream(
    call: CallRef,
    stream: Omit<CommandRequestInput<'media.v1.stream.start'>, 'accountSid' | 'callSid'>,
  ): Promise<void> {
    await this.run(call, 'stream.start', () =>
      this.bus.request(
        'media.v1.stream.start',
        { ...stream, accountSid: call.accountSid, callSid: call.sid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      ),
    );
  }

  /** Stops a stream of the call by its sid; returns how many media stopped (0 or 1). */
  async stopStream(call: CallRef, streamSid: string): Promise<number> {
    return this.run(call, 'stream.stop', async () => {
      const reply = await this.bus.request(
        'media.v1.stream.stop',
        { callSid: call.sid, streamSid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      );
      return reply.stopped;
    });
  }

  /**
   * Frees the leg (none left is fine: `closed: false`). Throws when media cannot be
   * reached, so the caller (a call effect) tries again.
   */
  async close(call: CallRef): Promise<void> {
    await this.run(call, 'leg.close', () =>
      this.bus.request(
        'media.v1.leg.close',
        { callSid: call.sid },
        { timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS, correlationId: call.sid },
      ),
    );
  }

  private async run<T>(call: CallRef, name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      // Off the hot path (set-up waits for this answer): the row is written meanwhile;
      // record() never throws, it logs.
      void this.timeline.record({
        callSid: call.sid,
        accountSid: call.accountSid,
        type: 'media',
        name,
        detail: { outcome: 'ok', durationMs: Math.round(performance.now() - started) },
      });
      return result;
    } catch (error) {
      const mapped = clientError(error, 'media', 53401);
      await this.timeline.record({
        callSid: call.sid,
        accountSid: call.accountSid,
        type: 'media',
        name,
        detail: {
          outcome: 'error',
          durationMs: Math.round(performance.now() - started),
          error: describeError(mapped),
        },
      });
      throw mapped;
    }
  }
}
