import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  type CallSid,
  isTerminalCallStatus,
  NatsBus,
  type SessionStartRequestV1,
} from '@parley/contracts';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  SERVICE_INFO,
  type ParleyLogger,
  type ServiceInfo,
} from '@parley/nest-kit';
import { type Subscription } from 'nats';
import { Counter, Gauge } from 'prom-client';
import { type TwimlInterpreterEnv } from '../config/env.schema';
import { DocumentLoader } from '../documents/document-loader';
import { SessionAbortedError } from '../runtime/errors';
import { CallSession, initialRequest } from './call-session';
import { VerbRegistry } from '../verbs/verb-registry';
import { CallSessionsRepository } from './call-sessions.repository';

/**
 * The sessions this replica runs, one per call, and the events that drive them.
 *
 * `twiml.v1.session.start` reaches one replica (queue group), which then owns the call.
 * The call's events (keys, prompt and recording ends, the caller hanging up) are
 * published once, so every replica subscribes WITHOUT a queue group and ignores calls it
 * does not run: a queue group would hand an event to a replica that cannot use it.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly sessions = new Map<string, CallSession>();
  /** `<Dial>` children by CallSid, to the session that dialed them (keys, prompt ends). */
  private readonly childOwners = new Map<string, CallSession>();
  private readonly subscriptions: Subscription[] = [];
  private readonly movedAway: Counter;

  constructor(
    private readonly bus: NatsBus,
    private readonly loader: DocumentLoader,
    private readonly registry: VerbRegistry,
    private readonly repository: CallSessionsRepository,
    @Inject(PARLEY_ENV) private readonly env: TwimlInterpreterEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    metrics: MetricsService,
  ) {
    const sessions = this.sessions;
    new Gauge({
      name: 'parley_twiml_sessions_active',
      help: 'Calls whose TwiML this replica runs.',
      registers: [metrics.registry],
      collect() {
        this.set(sessions.size);
      },
    });
    this.movedAway = new Counter({
      name: 'parley_twiml_sessions_moved_total',
      help: 'Sessions this replica stopped because another replica took the call over.',
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.subscriptions.push(
      this.bus.subscribe('media.v1.dtmf.received', (e) =>
        this.owner(e.callSid)?.dtmf(e.callSid, e.digit),
      ),
      this.bus.subscribe('media.v1.play.finished', (e) => this.owner(e.callSid)?.playFinished(e)),
      this.bus.subscribe('media.v1.recording.completed', (e) =>
        this.sessions.get(e.callSid)?.recordingCompleted(e),
      ),
      this.bus.subscribe('media.v1.stream.ended', (e) =>
        this.sessions.get(e.callSid)?.streamEnded(e),
      ),
      this.bus.subscribe('calls.v1.recording.status-changed', (e) => {
        if (e.status === 'in-progress') return;
        this.sessions.get(e.callSid)?.recordingStored(e.recordingSid, e.mediaUrl);
      }),
      this.bus.subscribe('twiml.v1.session.moved', (e) => {
        const session = this.sessions.get(e.callSid);
        if (!session || e.ownerInstance === this.info.instanceId || session.isMovedAway) return;
        this.movedAway.inc();
        session.moved();
      }),
      this.bus.subscribe('calls.v1.call.status-changed', (e) => {
        // A `<Dial>` child's progress goes to the session of its parent.
        if (e.parentCallSid !== null) this.sessions.get(e.parentCallSid)?.childStatus(e);
        if (isTerminalCallStatus(e.status)) this.sessions.get(e.callSid)?.ended();
      }),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private owner(callSid: string): CallSession | undefined {
    return this.sessions.get(callSid) ?? this.childOwners.get(callSid);
  }

  /** Number of calls this replica runs. */
  get active(): number {
    return this.sessions.size;
  }

  /**
   * Claims the call and runs its document in the background. A repeated start is a no-op
   * here; on another replica it takes the call over (the row's owner decides, and the
   * replica that ran it is told to stop).
   */
  async start(request: SessionStartRequestV1): Promise<void> {
    if (this.sessions.get(request.callSid)?.isMovedAway === false) return;
    const { instanceId } = this.info;
    await this.repository.claim(request.callSid, request.accountSid, instanceId);
    this.bus.publish('twiml.v1.session.moved', {
      callSid: request.callSid,
      ownerInstance: instanceId,
    });
    const session: CallSession = new CallSession(
      {
        bus: this.bus,
        loader: this.loader,
        registry: this.registry,
        logger: this.logger,
        // Fenced by ownership: a replica that lost the call stops at its next step even
        // if it never heard `twiml.v1.session.moved`.
        save: async (progress) => {
          if (await this.repository.save(request.callSid, instanceId, progress)) return;
          if (!session.isMovedAway) this.movedAway.inc();
          session.moved();
          throw new SessionAbortedError('moved');
        },
        requestTimeoutMs: this.env.NATS_REQUEST_TIMEOUT_MS,
        maxRedirects: this.env.TWIML_MAX_REDIRECTS,
        adoptChild: (childSid: CallSid) => this.childOwners.set(childSid, session),
        releaseChild: (childSid: CallSid) => this.childOwners.delete(childSid),
      },
      request,
    );
    this.sessions.set(request.callSid, session);
    void session.finished.finally(() => {
      if (this.sessions.get(request.callSid) === session) this.sessions.delete(request.callSid);
      for (const [childSid, owner] of this.childOwners) {
        if (owner === session) this.childOwners.delete(childSid);
      }
    });
    session.start(initialRequest(request));
  }

  /**
   * New TwiML for a call: the running session switches to it; a call this replica does
   * not run (its session ended, or ran on a replica that is gone) starts afresh here.
   */
  async redirect(request: SessionStartRequestV1): Promise<void> {
    const session = this.sessions.get(request.callSid);
    if (session && !session.isMovedAway) return session.redirect(initialRequest(request));
    await this.start(request);
  }
}
