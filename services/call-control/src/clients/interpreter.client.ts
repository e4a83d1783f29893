import { Inject, Injectable } from '@nestjs/common';
import { NatsBus, type SessionStartRequestV1 } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { CallTimeline } from '../call-events/call-timeline.service';
import { type CallControlEnv } from '../config/env.schema';
import { describeError, clientError } from './client-errors';

/** Hands calls to the TwiML interpreter. */
@Injectable()
export class InterpreterClient {
  constructor(
    private readonly bus: NatsBus,
    private readonly timeline: CallTimeline,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  async startSession(request: SessionStartRequestV1): Promise<void> {
    await this.send('twiml.v1.session.start', request);
  }

  /** Runs new TwiML on a call already handed to the interpreter (REST redirect). */
  async redirect(request: SessionStartRequestV1): Promise<void> {
    await this.send('twiml.v1.session.redirect', request);
  }

  private async send(
    subject: 'twiml.v1.session.start' | 'twiml.v1.session.redirect',
    request: SessionStartRequestV1,
  ): Promise<void> {
    const name = subject === 'twiml.v1.session.start' ? 'session.start' : 'session.redirect';
    const detail = {
      document:
        request.document.kind === 'url'
          ? { kind: 'url', url: request.document.url, method: request.document.method }
          : { kind: 'twiml' },
      callStatus: request.parameters.CallStatus,
    };
    try {
      await this.bus.request(subject, request, {
        timeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
        correlationId: request.callSid,
      });
      await this.timeline.record({
        callSid: request.callSid,
        accountSid: request.accountSid,
        type: 'interpreter',
        name,
        detail: { ...detail, outcome: 'ok' },
      });
    } catch (error) {
      const mapped = clientError(error, 'twiml-interpreter', 20503);
      await this.timeline.record({
        callSid: request.callSid,
        accountSid: request.accountSid,
        type: 'interpreter',
        name,
        detail: { ...detail, outcome: 'error', error: describeError(mapped) },
      });
      throw mapped;
    }
  }
}
