import type { AudioAnalysis } from '../audio/analysis';
import { GraphErrors, NO_MEDIA_CALL_ERROR } from '../graph/graph-error';
import type { MediaStats } from '../media/rtp-audio-endpoint';
import { SimulatedMediaPeer } from '../media/simulated-media-peer';
import { SdpRejectedError } from '../media/webrtc-audio-peer';
import {
  businessInitiatedConnect,
  callStatus,
  callTerminate,
  userInitiatedConnect,
  type CallStatusValue,
} from '../webhooks/payloads';
import { isWithinCallHours } from './call-hours';
import type { SimContext } from './context';
import { wacid } from './ids';
import type { DigitsInput } from './inputs';
import type { Messaging } from './messaging';
import { SimError } from './sim-error';
import type { BusinessRecord, CallEndReason, CallError, SimCall, UserRecord } from './types';

const EMPTY_STATS: MediaStats = {
  connected: false,
  packetsSent: 0,
  packetsReceived: 0,
  bytesReceived: 0,
  receivedMs: 0,
  levelDbfs: -120,
  dominantFrequencyHz: null,
  dtmf: [],
  dtmfSent: '',
};

/** What the user says: a tone, a WAV file, or silence. */
export type Speech = { toneHz: number } | { wav: Buffer } | null;

interface CallSession {
  call: Omit<SimCall, 'media'>;
  peer: SimulatedMediaPeer | null;
  timers: Set<NodeJS.Timeout>;
  startedAtMs: number;
  answeredAtMs: number | null;
  /** performance.now() at acceptance: the media timeout counts from there. */
  acceptedAtMono: number | null;
  speech: Speech;
}

export interface CallFilter {
  phoneNumberId?: string;
  waId?: string;
  direction?: SimCall['direction'];
  status?: SimCall['status'];
}

const ACTIVE = new Set<SimCall['status']>(['ringing', 'pre_accepted', 'accepted']);

/**
 * Every call the simulated Cloud API carries, in both directions: the Graph actions a
 * business takes, what the simulated user does (per behaviour or control API), Meta's
 * timers (ring time, media timeout) and the webhooks each step produces.
 */
export class CallEngine {
  private readonly sessions = new Map<string, CallSession>();

  constructor(
    private readonly ctx: SimContext,
    private readonly messaging: Messaging,
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  get(callId: string): SimCall {
    return this.view(this.session(callId));
  }

  list(filter: CallFilter = {}): SimCall[] {
    return [...this.sessions.values()]
      .filter(
        (s) =>
          (filter.phoneNumberId === undefined || s.call.phoneNumberId === filter.phoneNumberId) &&
          (filter.waId === undefined || s.call.waId === filter.waId) &&
          (filter.direction === undefined || s.call.direction === filter.direction) &&
          (filter.status === undefined || s.call.status === filter.status),
      )
      .map((s) => this.view(s));
  }

  activeCount(phoneNumberId: string): number {
    let count = 0;
    for (const s of this.sessions.values()) {
      if (s.call.phoneNumberId === phoneNumberId && ACTIVE.has(s.call.status)) count += 1;
    }
    return count;
  }

  receivedWav(callId: string): Buffer {
    const session = this.session(callId);
    if (!session.peer) throw new SimError('conflict', 'this call never had media');
    return session.peer.receivedWav();
  }

  analyse(callId: string, window: { fromMs?: number; toMs?: number }): AudioAnalysis {
    const session = this.session(callId);
    if (!session.peer) throw new SimError('conflict', 'this call never had media');
    return session.peer.analyse(window);
  }

  // ---- the simulated user ------------------------------------------------------------------

  /** The user taps "call" on a business: Meta sends the business a `connect` with an offer. */
  async userCall(user: UserRecord, business: BusinessRecord): Promise<SimCall> {
    const now = this.ctx.clock.now();
    const session = this.newSession({
      id: wacid(user.waId, business.displayPhoneNumber),
      direction: 'USER_INITIATED',
      from: user.waId,
      to: business.displayPhoneNumber,
      phoneNumberId: business.phoneNumberId,
      waId: user.waId,
      bizOpaqueCallbackData: null,
      startedAtMs: now,
    });
    const refusal: CallEndReason | null =
      business.calling.status !== 'ENABLED'
        ? 'refused_calling_disabled'
        : !isWithinCallHours(business.calling.call_hours, now)
          ? 'refused_outside_call_hours'
          : this.activeCount(business.phoneNumberId) >=
              this.ctx.settings.maxConcurrentCallsPerBusiness
            ? 'refused_concurrency_limit'
            : null;
    this.sessions.set(session.call.id, session);
    if (refusal) {
      // Meta never tells the business about these calls.
      Object.assign(session.call, {
        status: 'refused',
        endReason: refusal,
        endedAt: this.ctx.clock.iso(),
      });
      this.ctx.logger.info('user call refused', { callId: session.call.id, reason: refusal });
      return this.view(session);
    }
    const peer = await this.createPeer();
    session.peer = peer;
    let offer: string;
    try {
      offer = await peer.createOffer();
    } catch (error) {
      // No offer, no call: the business never hears of it (e.g. a bad media address).
      Object.assign(session.call, {
        status: 'ended',
        endReason: 'media_error',
        endedAt: this.ctx.clock.iso(),
      });
      await peer.close();
      throw error;
    }
    session.call.sdp.offer = offer;
    if (session.call.status !== 'ringing') {
      // Reset or closed while the offer was being made.
      await peer.close();
      return this.view(session);
    }
    this.ctx.webhooks.enqueue(
      business,
      userInitiatedConnect(business, user, this.view(session), offer, this.ctx.clock.unixSeconds()),
      { kind: 'calls.connect', callId: session.call.id },
    );
    if (business.calling.callback_permission_status === 'ENABLED') {
      this.messaging.accept(business, user, {
        permanent: false,
        source: 'automatic',
        contextMessageId: null,
      });
    }
    this.after(session, this.ctx.settings.ringTimeoutMs, () => {
      if (session.call.status === 'ringing' || session.call.status === 'pre_accepted') {
        void this.end(session, { reason: 'unanswered', status: 'COMPLETED' });
      }
    });
    this.ctx.logger.info('user calls business', {
      callId: session.call.id,
      waId: user.waId,
      phoneNumberId: business.phoneNumberId,
    });
    return this.view(session);
  }

  async userHangup(callId: string): Promise<SimCall> {
    const session = this.session(callId);
    if (!ACTIVE.has(session.call.status))
      throw new SimError('conflict', `call is ${session.call.status}`);
    const reason =
      session.call.direction === 'BUSINESS_INITIATED' && session.call.status === 'ringing'
        ? 'user_reject'
        : 'user_hangup';
    if (reason === 'user_reject') {
      await this.userRejects(session);
      return this.view(session);
    }
    await this.end(session, { reason, status: 'COMPLETED' });
    return this.view(session);
  }

  async userSendDigits(callId: string, input: DigitsInput): Promise<SimCall> {
    const session = this.session(callId);
    if (!ACTIVE.has(session.call.status))
      throw new SimError('conflict', `call is ${session.call.status}`);
    if (!session.peer?.connected)
      throw new SimError('conflict', 'media is not connected on this call');
    try {
      await session.peer.sendDigits(input.digits, {
        durationMs: input.durationMs,
        gapMs: input.gapMs,
      });
    } catch (error) {
      throw new SimError('conflict', error instanceof Error ? error.message : String(error));
    }
    return this.view(session);
  }

  userSpeak(callId: string, speech: Speech): SimCall {
    const session = this.session(callId);
    if (!ACTIVE.has(session.call.status))
      throw new SimError('conflict', `call is ${session.call.status}`);
    session.speech = speech;
    if (session.peer && session.call.status === 'accepted') this.applySpeech(session);
    return this.view(session);
  }

  // ---- the business, through the Graph API ---------------------------------------------------

  /** `connect`: the business calls a user with its SDP offer. */
  graphConnect(
    business: BusinessRecord,
    input: { to: string; sdp: string; bizOpaqueCallbackData: string | null },
  ): SimCall {
    if (business.calling.status !== 'ENABLED') throw GraphErrors.callingNotEnabled();
    const user = this.ctx.user(input.to);
    const check = this.ctx.ledger.canStartCall(business.phoneNumberId, input.to);
    if (!user || (!check.ok && check.reason === 'no_permission'))
      throw GraphErrors.noCallPermission();
    const duplicate = [...this.sessions.values()].some(
      (s) =>
        s.call.phoneNumberId === business.phoneNumberId &&
        s.call.waId === user.waId &&
        ACTIVE.has(s.call.status),
    );
    if (duplicate) throw GraphErrors.duplicateCall();
    if (
      this.activeCount(business.phoneNumberId) >= this.ctx.settings.maxConcurrentCallsPerBusiness
    ) {
      throw GraphErrors.concurrentCallsLimit(this.ctx.settings.maxConcurrentCallsPerBusiness);
    }
    if (!check.ok && check.reason === 'connected_calls_limit') {
      throw GraphErrors.businessInitiatedCallsLimit(check.usage.maxAllowed);
    }
    const session = this.newSession({
      id: wacid(business.displayPhoneNumber, user.waId),
      direction: 'BUSINESS_INITIATED',
      from: business.displayPhoneNumber,
      to: user.waId,
      phoneNumberId: business.phoneNumberId,
      waId: user.waId,
      bizOpaqueCallbackData: input.bizOpaqueCallbackData,
      startedAtMs: this.ctx.clock.now(),
    });
    session.call.sdp.offer = input.sdp;
    this.sessions.set(session.call.id, session);
    const behaviour = user.behaviour;
    this.after(session, this.ctx.settings.ringingAfterMs, () => {
      if (session.call.status !== 'ringing') return;
      this.sendStatus(session, 'RINGING');
      if (behaviour.onIncomingCall !== 'ignore') {
        this.after(session, behaviour.answerAfterMs, () => {
          if (session.call.status !== 'ringing') return;
          if (behaviour.onIncomingCall === 'answer') void this.userAnswers(session, user);
          else void this.userRejects(session);
        });
      }
      this.after(session, this.ctx.settings.ringTimeoutMs, () => {
        if (session.call.status === 'ringing') {
          void this.end(session, { reason: 'unanswered', status: 'COMPLETED' });
        }
      });
    });
    this.ctx.logger.info('business calls user', {
      callId: session.call.id,
      waId: user.waId,
      phoneNumberId: business.phoneNumberId,
    });
    return this.view(session);
  }

  async graphPreAccept(business: BusinessRecord, callId: string, sdp: string): Promise<void> {
    const session = this.graphSession(business, callId, 'USER_INITIATED');
    // Repeated (retried) or late pre_accepts change nothing.
    if (session.call.status === 'pre_accepted' || session.call.status === 'accepted') return;
    if (session.call.status !== 'ringing')
      throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
    await this.applyBusinessAnswer(session, sdp);
    // The call may have ended (ring time, user hang-up) while the answer was being applied.
    const now = statusOf(session);
    if (now === 'ringing') session.call.status = 'pre_accepted';
    else if (now !== 'pre_accepted' && now !== 'accepted') {
      throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
    }
  }

  async graphAccept(
    business: BusinessRecord,
    callId: string,
    sdp: string | null,
    bizOpaqueCallbackData: string | null,
  ): Promise<void> {
    const session = this.graphSession(business, callId, 'USER_INITIATED');
    if (session.call.status === 'accepted') return;
    if (session.call.status !== 'ringing' && session.call.status !== 'pre_accepted') {
      throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
    }
    if (session.call.status === 'ringing') {
      if (sdp === null) throw GraphErrors.invalidParameter('The parameter session is required.');
      await this.applyBusinessAnswer(session, sdp);
      // Re-read: the call may have been accepted or ended while the answer was applied.
      const now = statusOf(session);
      if (now === 'accepted') return;
      if (now !== 'ringing' && now !== 'pre_accepted') {
        throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
      }
    }
    if (bizOpaqueCallbackData !== null) session.call.bizOpaqueCallbackData = bizOpaqueCallbackData;
    this.markAccepted(session);
    const user = this.ctx.user(session.call.waId);
    if (user?.behaviour.speak && session.speech === null) session.speech = user.behaviour.speak;
    this.applySpeech(session);
    this.scheduleHangup(session, user);
  }

  async graphReject(business: BusinessRecord, callId: string): Promise<void> {
    const session = this.graphSession(business, callId, 'USER_INITIATED');
    if (session.call.status !== 'ringing' && session.call.status !== 'pre_accepted') {
      throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
    }
    await this.end(session, { reason: 'business_reject', status: 'COMPLETED' });
  }

  async graphTerminate(business: BusinessRecord, callId: string): Promise<void> {
    const session = this.graphSession(business, callId, null);
    if (!ACTIVE.has(session.call.status))
      throw GraphErrors.invalidParameter(`Call ${callId} is ${describeStatus(session)}.`);
    await this.end(session, { reason: 'business_terminate', status: 'COMPLETED' });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  async reset(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      sessions.map(async (s) => {
        this.clearTimers(s);
        if (ACTIVE.has(s.call.status))
          Object.assign(s.call, { status: 'ended', endReason: 'sim_reset' });
        await s.peer?.close();
      }),
    );
  }

  // ---- internals ---------------------------------------------------------------------------

  private newSession(p: {
    id: string;
    direction: SimCall['direction'];
    from: string;
    to: string;
    phoneNumberId: string;
    waId: string;
    bizOpaqueCallbackData: string | null;
    startedAtMs: number;
  }): CallSession {
    return {
      call: {
        id: p.id,
        direction: p.direction,
        status: 'ringing',
        from: p.from,
        to: p.to,
        phoneNumberId: p.phoneNumberId,
        waId: p.waId,
        bizOpaqueCallbackData: p.bizOpaqueCallbackData,
        startedAt: new Date(p.startedAtMs).toISOString(),
        answeredAt: null,
        endedAt: null,
        terminateStatus: null,
        endReason: null,
        errors: [],
        sdp: { offer: null, answer: null },
        mediaDefects: [],
      },
      peer: null,
      timers: new Set(),
      startedAtMs: p.startedAtMs,
      answeredAtMs: null,
      acceptedAtMono: null,
      speech: null,
    };
  }

  private createPeer(): Promise<SimulatedMediaPeer> {
    return SimulatedMediaPeer.create({
      address: this.ctx.settings.mediaAddress,
      announcedAddress: this.ctx.settings.announcedMediaAddress,
      rewriteRemoteCandidatesTo: this.ctx.settings.rewriteRemoteCandidatesTo,
      maxRecordedMs: this.ctx.settings.maxRecordedMs,
    });
  }

  private session(callId: string): CallSession {
    const session = this.sessions.get(callId);
    if (!session) throw new SimError('not_found', `no call ${callId}`);
    return session;
  }

  /** A call as the business may address it: its own, and of the right direction. */
  private graphSession(
    business: BusinessRecord,
    callId: string,
    direction: SimCall['direction'] | null,
  ): CallSession {
    const session = this.sessions.get(callId);
    if (
      !session ||
      session.call.phoneNumberId !== business.phoneNumberId ||
      session.call.status === 'refused'
    ) {
      throw GraphErrors.invalidParameter(`Invalid call_id ${callId}.`);
    }
    if (direction && session.call.direction !== direction) {
      throw GraphErrors.invalidParameter(
        `This action is only valid on ${direction === 'USER_INITIATED' ? 'user' : 'business'}-initiated calls.`,
      );
    }
    return session;
  }

  private async applyBusinessAnswer(session: CallSession, sdp: string): Promise<void> {
    const peer = session.peer;
    if (!peer) throw GraphErrors.genericUser('The call has no media session.');
    try {
      await peer.applyAnswer(sdp);
    } catch (error) {
      const details =
        error instanceof SdpRejectedError
          ? error.problems.join('; ')
          : error instanceof Error
            ? error.message
            : String(error);
      throw GraphErrors.invalidParameter(`Invalid SDP: ${details}`);
    }
    session.call.sdp.answer = sdp;
    session.call.mediaDefects = peer.defects;
    if (peer.defects.length > 0) {
      this.ctx.logger.info('business answer cannot carry media', {
        callId: session.call.id,
        defects: peer.defects,
      });
    }
  }

  private markAccepted(session: CallSession): void {
    session.call.status = 'accepted';
    session.answeredAtMs = this.ctx.clock.now();
    session.call.answeredAt = new Date(session.answeredAtMs).toISOString();
    session.acceptedAtMono = performance.now();
    this.clearTimers(session);
    this.startMediaWatchdog(session);
  }

  /** The user picks up a business-initiated call: Meta sends `connect` with its answer. */
  private async userAnswers(session: CallSession, user: UserRecord): Promise<void> {
    const peer = await this.createPeer();
    if (session.call.status !== 'ringing') {
      // The business hung up while the phone was picking up.
      await peer.close();
      return;
    }
    session.peer = peer;
    let answer: string;
    try {
      answer = await peer.answerOffer(session.call.sdp.offer ?? '');
    } catch (error) {
      if (session.call.status !== 'ringing') return;
      this.ctx.logger.warn('cannot answer the business offer', { callId: session.call.id, error });
      await this.end(session, {
        reason: 'media_error',
        status: 'FAILED',
        errors: [
          {
            code: 131000,
            title: 'Something went wrong',
            message: 'Something went wrong',
            error_data: { details: error instanceof Error ? error.message : String(error) },
          },
        ],
      });
      return;
    }
    if (session.call.status !== 'ringing') {
      await peer.close();
      return;
    }
    const business = this.ctx.business(session.call.phoneNumberId);
    session.call.sdp.answer = answer;
    session.call.mediaDefects = peer.defects;
    this.markAccepted(session);
    this.ctx.ledger.recordConnectedCall(session.call.phoneNumberId, session.call.waId);
    if (business) {
      this.ctx.webhooks.enqueue(
        business,
        businessInitiatedConnect(
          business,
          this.view(session),
          answer,
          this.ctx.clock.unixSeconds(),
        ),
        { kind: 'calls.connect', callId: session.call.id },
      );
    }
    // Meta reports ACCEPTED for auditing, typically once media is up.
    void peer
      .waitForMedia(this.ctx.settings.acceptedStatusDelayMs)
      .catch(() => undefined)
      .then(() => {
        if (session.call.status === 'accepted') this.sendStatus(session, 'ACCEPTED');
      });
    if (user.behaviour.speak && session.speech === null) session.speech = user.behaviour.speak;
    this.applySpeech(session);
    this.scheduleHangup(session, user);
    this.ctx.logger.info('user answered', { callId: session.call.id, defects: peer.defects });
  }

  private async userRejects(session: CallSession): Promise<void> {
    this.sendStatus(session, 'REJECTED');
    await this.end(session, { reason: 'user_reject', status: 'COMPLETED' });
  }

  private scheduleHangup(session: CallSession, user: UserRecord | undefined): void {
    const after = user?.behaviour.hangupAfterMs;
    if (after === null || after === undefined) return;
    this.after(session, after, () => {
      if (session.call.status === 'accepted')
        void this.end(session, { reason: 'user_hangup', status: 'COMPLETED' });
    });
  }

  private applySpeech(session: CallSession): void {
    const peer = session.peer;
    const speech = session.speech;
    if (!peer || speech === null) return;
    if ('toneHz' in speech) peer.startTone(speech.toneHz);
    else {
      peer.playWav(speech.wav).catch((error: unknown) => {
        this.ctx.logger.warn('cannot play WAV', { callId: session.call.id, error });
      });
    }
  }

  /**
   * WhatsApp hangs up a connected call that receives no media for `mediaTimeoutMs` (the
   * classic symptom of a business answer whose ICE or DTLS never completes): FAILED, 138021.
   */
  private startMediaWatchdog(session: CallSession): void {
    const timeout = this.ctx.settings.mediaTimeoutMs;
    const every = Math.max(20, Math.min(1000, Math.floor(timeout / 4)));
    const timer = setInterval(() => {
      if (session.call.status !== 'accepted') return;
      const last =
        session.peer?.lastPacketReceivedAt ?? session.acceptedAtMono ?? performance.now();
      const baseline = Math.max(last, session.acceptedAtMono ?? last);
      if (performance.now() - baseline >= timeout) {
        void this.end(session, {
          reason: 'media_timeout',
          status: 'FAILED',
          errors: [{ ...NO_MEDIA_CALL_ERROR, error_data: { ...NO_MEDIA_CALL_ERROR.error_data } }],
        });
      }
    }, every);
    session.timers.add(timer);
  }

  private sendStatus(session: CallSession, status: CallStatusValue): void {
    const business = this.ctx.business(session.call.phoneNumberId);
    if (!business) return;
    this.ctx.webhooks.enqueue(
      business,
      callStatus(business, this.view(session), status, this.ctx.clock.unixSeconds()),
      {
        kind: `calls.status.${status}`,
        callId: session.call.id,
      },
    );
  }

  private async end(
    session: CallSession,
    outcome: { reason: CallEndReason; status: 'COMPLETED' | 'FAILED'; errors?: CallError[] },
  ): Promise<void> {
    if (!ACTIVE.has(session.call.status)) return;
    this.clearTimers(session);
    const endedAtMs = this.ctx.clock.now();
    const wasAnswered = session.answeredAtMs !== null;
    Object.assign(session.call, {
      status: 'ended',
      endedAt: new Date(endedAtMs).toISOString(),
      terminateStatus: outcome.status,
      endReason: outcome.reason,
      errors: outcome.errors ?? [],
    });
    const business = this.ctx.business(session.call.phoneNumberId);
    if (business) {
      const user = this.ctx.user(session.call.waId) ?? null;
      this.ctx.webhooks.enqueue(
        business,
        callTerminate(
          business,
          user,
          this.view(session),
          {
            timestamp: Math.floor(endedAtMs / 1000),
            startTime:
              wasAnswered && session.answeredAtMs !== null
                ? Math.floor(session.answeredAtMs / 1000)
                : null,
            endTime: Math.floor(endedAtMs / 1000),
          },
          outcome.status,
          outcome.errors ?? [],
        ),
        { kind: 'calls.terminate', callId: session.call.id },
      );
    }
    if (
      session.call.direction === 'BUSINESS_INITIATED' &&
      !wasAnswered &&
      (outcome.reason === 'unanswered' || outcome.reason === 'user_reject')
    ) {
      const missed = this.ctx.ledger.recordMissedCall(
        session.call.phoneNumberId,
        session.call.waId,
      );
      if (missed.revoked || missed.reprompt)
        this.ctx.logger.info('consecutive missed calls', { callId: session.call.id, ...missed });
    }
    this.ctx.logger.info('call ended', {
      callId: session.call.id,
      reason: outcome.reason,
      status: outcome.status,
      errors: (outcome.errors ?? []).map((e) => e.code),
    });
    await session.peer?.close();
  }

  private after(session: CallSession, ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      session.timers.delete(timer);
      run();
    }, ms);
    session.timers.add(timer);
  }

  private clearTimers(session: CallSession): void {
    for (const timer of session.timers) clearTimeout(timer);
    session.timers.clear();
  }

  private view(session: CallSession): SimCall {
    const media = session.peer ? session.peer.stats() : EMPTY_STATS;
    return {
      ...session.call,
      sdp: { ...session.call.sdp },
      mediaDefects: [...session.call.mediaDefects],
      errors: [...session.call.errors],
      media,
    };
  }
}

/** The current status, read through a call so that narrowing from before an await does not stick. */
function statusOf(session: CallSession): SimCall['status'] {
  return session.call.status;
}

function describeStatus(session: CallSession): string {
  return session.call.status === 'ended'
    ? 'already terminated'
    : session.call.status.replace('_', '-');
}
