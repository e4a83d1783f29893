import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  ReadinessRegistry,
  type ParleyLogger,
} from '@parley/nest-kit';
import { Gauge } from 'prom-client';
import { type MediaEnv } from '../config/env.schema';
import { type Leg } from './leg';

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

/** A leg of this instance and the id of the row that records it. */
export interface RegisteredLeg {
  leg: Leg;
  rowId: string;
}

/**
 * The legs of this instance by CallSid: the legs that are up, the calls whose leg is being
 * set up (and whether they were asked to close meanwhile), and whether new legs are still
 * accepted. Everything else in the service finds legs here and hears here when they open,
 * connect and close.
 */
@Injectable()
export class LegRegistry implements OnApplicationBootstrap {
  private readonly legs = new Map<string, RegisteredLeg>();
  /** Calls whose leg is being set up, and whether a close was asked for meanwhile. */
  private readonly settingUp = new Map<string, { closeRequested: boolean }>();
  private readonly listeners = new Set<LegListeners>();
  private draining = false;

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const legs = this.legs;
    new Gauge({
      name: 'parley_media_legs',
      help: 'WhatsApp legs on this media instance, by state.',
      labelNames: ['state'],
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const { leg } of legs.values()) this.inc({ state: leg.state });
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
    return this.legs.get(callSid)?.leg;
  }

  /** The leg, or a Twilio-style 20404. */
  require(callSid: string): Leg {
    const leg = this.get(callSid);
    if (!leg) throw new ParleyError(20404, `no media leg for call ${callSid} on this instance`);
    return leg;
  }

  /** The id of the row recording the leg, while the leg is up. */
  rowIdOf(callSid: string): string | undefined {
    return this.legs.get(callSid)?.rowId;
  }

  get size(): number {
    return this.legs.size;
  }

  /** The CallSids of every leg up now (what shutdown closes). */
  callSids(): string[] {
    return [...this.legs.keys()];
  }

  /** Every leg up now (the media clock feeds them, 50 times a second: no copy). */
  *all(): IterableIterator<Leg> {
    for (const { leg } of this.legs.values()) yield leg;
  }

  // ---- set-up ---------------------------------------------------------------------------------

  /**
   * Holds the call's place while its leg is being set up; refuses a call that has a leg,
   * an instance that is draining or full (Twilio-style errors).
   */
  reserve(callSid: string): void {
    if (this.draining) {
      throw new ParleyError(20503, 'this media instance is shutting down; retry on another');
    }
    if (this.legs.has(callSid) || this.settingUp.has(callSid)) {
      throw new ParleyError(21220, `call ${callSid} already has a media leg`);
    }
    if (this.legs.size + this.settingUp.size >= this.env.MEDIA_MAX_LEGS) {
      throw new ParleyError(
        20503,
        `this media instance carries its maximum of ${this.env.MEDIA_MAX_LEGS} legs`,
      );
    }
    this.settingUp.set(callSid, { closeRequested: false });
  }

  /** The set-up is over (the leg is up, or it failed). */
  unreserve(callSid: string): void {
    this.settingUp.delete(callSid);
  }

  /**
   * A close for a call whose answer or offer is still being made: its leg goes as soon as
   * it exists. False when no leg of the call is being set up.
   */
  requestCloseDuringSetUp(callSid: string): boolean {
    const reservation = this.settingUp.get(callSid);
    if (!reservation) return false;
    reservation.closeRequested = true;
    return true;
  }

  /** Whether a close was asked for while the call's leg was being set up. */
  closeRequestedDuringSetUp(callSid: string): boolean {
    return this.settingUp.get(callSid)?.closeRequested ?? false;
  }

  /** The leg is up: commands find it, listeners hear of it. */
  add(leg: Leg, rowId: string): void {
    this.legs.set(leg.callSid, { leg, rowId });
    this.announce(leg, 'opened', (l) => l.opened?.(leg));
  }

  /** Tells listeners the leg connected. */
  announceConnected(leg: Leg): void {
    this.announce(leg, 'connected', (l) => l.connected?.(leg));
  }

  /** Takes the leg out (commands no longer find it) and tells listeners it is closing. */
  remove(callSid: string, reason: LegEndReason): RegisteredLeg | undefined {
    const registered = this.legs.get(callSid);
    if (!registered) return undefined;
    this.legs.delete(callSid);
    this.announce(registered.leg, 'closing', (l) => l.closing?.(registered.leg, reason));
    return registered;
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /** From now on new legs are refused (20503) and readiness reports `draining`. */
  stopAccepting(): void {
    this.draining = true;
  }

  private announce(leg: Leg, event: keyof LegListeners, tell: (l: LegListeners) => void): void {
    for (const listeners of this.listeners) {
      try {
        tell(listeners);
      } catch (error) {
        // One listener's failure must not keep the others (bridges, recordings) uninformed.
        this.logger.error({ callSid: leg.callSid, event, err: error }, 'leg listener failed');
      }
    }
  }
}
