import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NatsBus, ParleyError, type CallSid } from '@parley/contracts';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  ReadinessRegistry,
  type ParleyLogger,
} from '@parley/nest-kit';
import { Gauge } from 'prom-client';
import { OpusEncoder, SILENT_FRAME } from '../audio';
import { type MediaEnv } from '../config/env.schema';
import { OFFER_MID, WhatsAppEdge } from '../edge/whatsapp-edge';
import {
  LegAlreadyOpenError,
  WhatsAppLegsRepository,
} from '../whatsapp-legs/whatsapp-legs.repository';
import { WorkerPool } from '../workers/worker-pool';
import { canCarryDtmf, DEFAULT_CODECS, Leg, type LegCodecs, type LegDirection } from './leg';
import { MediaClock } from './media-clock';

/** Why a leg ended; listeners map it to their own vocabulary (a recording's `hangup`). */
export type LegEndReason = 'closed' | 'failed' | 'shutdown';

export interface LegListeners {
  /** A leg was set up (its SDP exchange is done or under way). */
  opened?: (leg: Leg) => void;
  /** The leg's first inbound packet arrived (ICE and DTLS completed). */
  connected?: (leg: Leg) => void;
  /** The leg is about to be torn down: stop using it. */
  closing?: (leg: Leg, reason: LegEndReason) => void;
}

/** Silence fill starts after this long without anything sent on a leg. */
const IDLE_FILL_MS = 100;
const TICKS_PER_SECOND = 50;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The WhatsApp legs of this instance: set-up through the edge (rtpengine) and mediasoup,
 * the 20 ms clock that feeds every leg's output, connection and inactivity timeouts,
 * whatsapp_legs rows, and teardown that leaves nothing behind.
 */
@Injectable()
export class LegsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly legs = new Map<string, Leg>();
  /** Calls whose leg is being set up right now. */
  private readonly pending = new Set<string>();
  /** Pending calls asked to close before their set-up finished. */
  private readonly closeWhenSetUp = new Set<string>();
  private readonly rowIds = new Map<string, string>();
  private readonly connectTimers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<LegListeners>();
  private readonly silencePayload: Buffer;
  private unsubscribeClock: (() => void) | null = null;
  private draining = false;
  private readonly drained = new Set<() => void>();

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly workers: WorkerPool,
    private readonly edge: WhatsAppEdge,
    private readonly rows: WhatsAppLegsRepository,
    private readonly bus: NatsBus,
    private readonly clock: MediaClock,
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
  ) {
    // One encoded silent frame serves every leg's silence fill.
    const encoder = new OpusEncoder();
    this.silencePayload = encoder.encode(SILENT_FRAME);
    encoder.delete();
  }

  async onApplicationBootstrap(): Promise<void> {
    const orphans = await this.rows.failOrphans();
    if (orphans > 0) this.logger.warn({ orphans }, 'marked legs of a previous run as failed');
    const legs = this.legs;
    new Gauge({
      name: 'parley_media_legs',
      help: 'WhatsApp legs on this media instance, by state.',
      labelNames: ['state'],
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const leg of legs.values()) this.inc({ state: leg.state });
      },
    });
    this.readiness.register({
      name: 'legs',
      check: () =>
        Promise.resolve({
          ok: !this.draining,
          detail: `${this.legs.size} legs${this.draining ? ', draining' : ''}`,
        }),
    });
  }

  /** Subscribes to leg lifecycle events; returns the unsubscribe function. */
  listen(listeners: LegListeners): () => void {
    this.listeners.add(listeners);
    return () => this.listeners.delete(listeners);
  }

  get(callSid: string): Leg | undefined {
    return this.legs.get(callSid);
  }

  /** The leg, or a Twilio-style 20404. */
  require(callSid: string): Leg {
    const leg = this.legs.get(callSid);
    if (!leg) throw new ParleyError(20404, `no media leg for call ${callSid} on this instance`);
    return leg;
  }

  // ---- set-up -----------------------------------------------------------------------------

  /** User-initiated call: answer Meta's offer. Media may flow as soon as this returns. */
  async answer(callSid: CallSid, sdpOffer: string): Promise<string> {
    return this.setUp(callSid, 'inbound', async (setLeg) => {
      const offer = await this.edge.receiveOffer(callSid, sdpOffer);
      const te = offer.inner.telephoneEvent;
      if (te && !canCarryDtmf(te.clockRate)) {
        this.logger.warn(
          { callSid, clockRate: te.clockRate },
          'telephone-event clock rate unsupported: no DTMF',
        );
      }
      const codecs: LegCodecs = {
        opusPayloadType: offer.inner.opus.payloadType,
        telephoneEvent:
          te && canCarryDtmf(te.clockRate)
            ? { payloadType: te.payloadType, clockRate: te.clockRate }
            : null,
      };
      const leg = await this.createLeg(callSid, 'inbound', codecs);
      setLeg(leg);
      await leg.connectRemote(offer.inner);
      await this.startInbound(leg, offer.inner.ssrc ?? offer.whatsapp.ssrc);
      const answer = await this.edge.answer(
        callSid,
        offer.whatsapp,
        leg.localEndpoint(offer.inner.mid),
      );
      return { leg, sdp: answer };
    });
  }

  /** Business-initiated call: the offer for Meta's `connect`. */
  async offer(callSid: CallSid): Promise<string> {
    return this.setUp(callSid, 'outbound', async (setLeg) => {
      const leg = await this.createLeg(callSid, 'outbound', DEFAULT_CODECS);
      setLeg(leg);
      const sdp = await this.edge.offer(callSid, leg.localEndpoint(OFFER_MID));
      return { leg, sdp };
    });
  }

  /** Business-initiated call: Meta's answer arrived; media starts. */
  async applyAnswer(callSid: string, sdpAnswer: string): Promise<void> {
    const leg = this.require(callSid);
    if (leg.state !== 'offered') {
      throw new ParleyError(
        21220,
        `the leg of ${callSid} is ${leg.state}, not waiting for an answer`,
      );
    }
    // Claimed before the first await, so a repeated answer is refused, not applied twice.
    leg.state = 'answered';
    try {
      const answer = await this.edge.receiveAnswer(callSid, sdpAnswer);
      await leg.connectRemote(answer.inner);
      await this.startInbound(leg, answer.inner.ssrc ?? answer.whatsapp.ssrc);
    } catch (error) {
      leg.state = 'offered';
      throw error;
    }
    this.armConnectTimer(leg);
    this.persist(leg, { state: 'answered' });
  }

  private async setUp(
    callSid: CallSid,
    direction: LegDirection,
    run: (setLeg: (leg: Leg) => void) => Promise<{ leg: Leg; sdp: string }>,
  ): Promise<string> {
    if (this.draining) {
      throw new ParleyError(20503, 'this media instance is shutting down; retry on another');
    }
    if (this.legs.has(callSid) || this.pending.has(callSid)) {
      throw new ParleyError(21220, `call ${callSid} already has a media leg`);
    }
    if (this.legs.size + this.pending.size >= this.env.MEDIA_MAX_LEGS) {
      throw new ParleyError(
        20503,
        `this media instance carries its maximum of ${this.env.MEDIA_MAX_LEGS} legs`,
      );
    }
    this.pending.add(callSid);
    let leg: Leg | null = null;
    try {
      const result = await run((l) => (leg = l));
      const created = result.leg;
      this.rowIds.set(
        callSid,
        await this.rows.open({
          callSid,
          direction,
          state: created.state,
          workerPid: created.worker.pid,
          routerId: created.router.id,
        }),
      );
      this.legs.set(callSid, created);
      for (const l of this.listeners) l.opened?.(created);
      if (this.closeWhenSetUp.delete(callSid)) {
        await this.close(callSid);
        throw new ParleyError(21220, `call ${callSid} was closed while its leg was being set up`);
      }
      this.ensureClock();
      if (direction === 'inbound') this.armConnectTimer(created);
      this.logger.info({ callSid, direction, worker: created.worker.pid }, 'leg set up');
      return result.sdp;
    } catch (error) {
      (leg as Leg | null)?.close();
      await this.edge.release(callSid).catch(() => false);
      if (error instanceof LegAlreadyOpenError) {
        throw new ParleyError(21220, `call ${callSid} already has an open media leg elsewhere`);
      }
      throw error;
    } finally {
      this.pending.delete(callSid);
      this.closeWhenSetUp.delete(callSid);
    }
  }

  private async createLeg(
    callSid: CallSid,
    direction: LegDirection,
    codecs: LegCodecs,
  ): Promise<Leg> {
    return Leg.create({
      callSid,
      direction,
      codecs,
      worker: this.workers.next(),
      listenIp: this.env.MEDIA_PLAIN_LISTEN_IP,
      now: () => performance.now(),
      onFirstMedia: (leg) => this.onConnected(leg),
    });
  }

  /**
   * Receives WhatsApp's stream. mediasoup matches inbound RTP by SSRC; when WhatsApp's
   * SDP declared none, rtpengine is asked which SSRC arrived once media flows.
   */
  private async startInbound(leg: Leg, ssrc: number | null): Promise<void> {
    if (ssrc !== null) {
      await leg.attachInbound(ssrc);
      return;
    }
    void this.discoverInboundSsrc(leg);
  }

  private async discoverInboundSsrc(leg: Leg): Promise<void> {
    const deadline = performance.now() + this.env.LEG_CONNECT_TIMEOUT_MS;
    const own = leg.outboundSsrc;
    while (!leg.closed && !leg.hasInbound && performance.now() < deadline) {
      try {
        const seen = (await this.edge.seenSsrcs(leg.callSid)).filter((s) => s !== own);
        if (seen[0] !== undefined) {
          await leg.attachInbound(seen[0]);
          this.logger.info(
            { callSid: leg.callSid, ssrc: seen[0] },
            'learnt WhatsApp SSRC from rtpengine',
          );
          return;
        }
      } catch (error) {
        if (leg.closed) return;
        this.logger.warn({ callSid: leg.callSid, err: error }, 'SSRC discovery query failed');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  // ---- life ---------------------------------------------------------------------------------

  hold(callSid: string, hold: boolean): void {
    const leg = this.require(callSid);
    leg.held = hold;
    // What the leg hears changes at once: the next packet starts a new talkspurt.
    leg.output.interrupt();
  }

  private onConnected(leg: Leg): void {
    if (leg.state !== 'answered') return;
    leg.state = 'connected';
    leg.connectedAt = new Date();
    this.clearConnectTimer(leg.callSid);
    this.bus.publish('media.v1.leg.connected', {
      callSid: leg.callSid,
      connectedAt: leg.connectedAt.toISOString(),
    });
    this.persist(leg, { state: 'connected', connectedAt: leg.connectedAt });
    for (const l of this.listeners) l.connected?.(leg);
    this.logger.info({ callSid: leg.callSid }, 'leg connected');
  }

  private armConnectTimer(leg: Leg): void {
    this.clearConnectTimer(leg.callSid);
    const timer = setTimeout(() => {
      if (leg.state === 'answered') {
        void this.fail(
          leg.callSid,
          `no media within ${this.env.LEG_CONNECT_TIMEOUT_MS} ms: ICE or DTLS did not complete`,
        );
      }
    }, this.env.LEG_CONNECT_TIMEOUT_MS);
    timer.unref();
    this.connectTimers.set(leg.callSid, timer);
  }

  private clearConnectTimer(callSid: string): void {
    const timer = this.connectTimers.get(callSid);
    if (timer) clearTimeout(timer);
    this.connectTimers.delete(callSid);
  }

  /** Publishes `media.v1.leg.failed` and tears the leg down. */
  async fail(callSid: string, reason: string): Promise<void> {
    const leg = this.legs.get(callSid);
    if (!leg) return;
    this.logger.warn({ callSid, reason }, 'leg failed');
    this.bus.publish('media.v1.leg.failed', {
      callSid: leg.callSid,
      reason,
      failedAt: new Date().toISOString(),
    });
    await this.close(callSid, 'failed', reason);
  }

  /** Tears a leg down; false when there was none. */
  async close(callSid: string, reason: LegEndReason = 'closed', detail?: string): Promise<boolean> {
    const leg = this.legs.get(callSid);
    if (!leg) {
      if (!this.pending.has(callSid)) return false;
      // The answer or offer is still being made: the leg goes as soon as it exists.
      this.closeWhenSetUp.add(callSid);
      return true;
    }
    this.legs.delete(callSid);
    this.clearConnectTimer(callSid);
    for (const l of this.listeners) {
      try {
        l.closing?.(leg, reason);
      } catch (error) {
        this.logger.error({ callSid, err: error }, 'leg closing listener failed');
      }
    }
    leg.state = reason === 'failed' ? 'failed' : 'closed';
    leg.close();
    await this.edge.release(callSid).catch((error: unknown) => {
      this.logger.warn({ callSid, err: error }, 'rtpengine delete failed');
      return false;
    });
    const rowId = this.rowIds.get(callSid);
    this.rowIds.delete(callSid);
    if (rowId) {
      await this.rows
        .update(rowId, {
          state: leg.state,
          closedAt: new Date(),
          endReason: detail ? `${reason}: ${detail}`.slice(0, 200) : reason,
        })
        .catch((error: unknown) =>
          this.logger.error({ callSid, err: error }, 'could not record the leg end'),
        );
    }
    if (this.legs.size === 0) {
      this.unsubscribeClock?.();
      this.unsubscribeClock = null;
      for (const resolve of this.drained) resolve();
    }
    this.logger.info({ callSid, reason, detail }, 'leg closed');
    return true;
  }

  private persist(leg: Leg, changes: Parameters<WhatsAppLegsRepository['update']>[1]): void {
    const rowId = this.rowIds.get(leg.callSid);
    if (!rowId) return;
    this.rows
      .update(rowId, changes)
      .catch((error: unknown) =>
        this.logger.error(
          { callSid: leg.callSid, err: describe(error) },
          'could not persist the leg',
        ),
      );
  }

  // ---- the clock ------------------------------------------------------------------------------

  private ensureClock(): void {
    if (this.unsubscribeClock) return;
    this.unsubscribeClock = this.clock.subscribe((tick) => this.onTick(tick));
  }

  private onTick(tick: number): void {
    for (const leg of this.legs.values()) {
      try {
        leg.onTick(tick, this.silencePayload, IDLE_FILL_MS);
      } catch (error) {
        this.logger.error({ callSid: leg.callSid, err: error }, 'leg output failed');
      }
    }
    if (tick % TICKS_PER_SECOND === 0) this.checkInactivity();
  }

  private checkInactivity(): void {
    const now = performance.now();
    for (const leg of this.legs.values()) {
      if (
        leg.state === 'connected' &&
        leg.lastInboundAt !== null &&
        now - leg.lastInboundAt > this.env.LEG_MEDIA_TIMEOUT_MS
      ) {
        void this.fail(
          leg.callSid,
          `media activity ceased: nothing received for ${this.env.LEG_MEDIA_TIMEOUT_MS} ms`,
        );
      }
    }
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /**
   * SIGTERM: refuse new legs, let the existing ones finish for the grace period (commands
   * for them are still served: NATS stays subscribed until this returns), then close what
   * is left. Workers and rtpengine stop after this, in onApplicationShutdown.
   */
  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    const graceMs = Math.max(0, this.env.SHUTDOWN_GRACE_MS - 1_000);
    if (this.legs.size > 0) {
      this.logger.info({ legs: this.legs.size, graceMs }, 'draining legs');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, graceMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.drained.add(done);
      });
      this.drained.clear();
    }
    const left = [...this.legs.keys()];
    await Promise.all(left.map((callSid) => this.close(callSid, 'shutdown')));
    this.unsubscribeClock?.();
    this.unsubscribeClock = null;
    if (left.length > 0)
      this.logger.warn(
        { closed: left.length },
        'closed legs still up at the end of the grace period',
      );
  }
}
