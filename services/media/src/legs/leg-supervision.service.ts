import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { OpusEncoder, SILENT_FRAME } from '../audio';
import { type MediaEnv } from '../config/env.schema';
import { WhatsAppEdge } from '../edge/whatsapp-edge';
import { WhatsAppLegsRepository } from '../whatsapp-legs/whatsapp-legs.repository';
import { type Leg } from './leg';
import { LegFailureReporter } from './leg-failure-reporter.service';
import { LegRegistry, type LegEndReason } from './leg-registry';
import { MediaClock } from './media-clock';

/** Silence fill starts after this long without anything sent on a leg. */
const IDLE_FILL_MS = 100;
const TICKS_PER_SECOND = 50;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Watches the legs that are up: the 20 ms clock that feeds every leg's output, the connect
 * and inactivity timeouts, `media.v1.leg.connected` / `media.v1.leg.failed`, the legs' rows
 * as they change, teardown that leaves nothing behind, and the drain at shutdown.
 */
@Injectable()
export class LegSupervisionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly connectTimers = new Map<string, NodeJS.Timeout>();
  private readonly silencePayload: Buffer;
  private unsubscribeClock: (() => void) | null = null;
  /** Resolved when the last leg has closed (the shutdown waits for it). */
  private readonly drained = new Set<() => void>();

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly registry: LegRegistry,
    private readonly edge: WhatsAppEdge,
    private readonly rows: WhatsAppLegsRepository,
    private readonly bus: NatsBus,
    private readonly clock: MediaClock,
    private readonly failures: LegFailureReporter,
  ) {
    // One encoded silent frame serves every leg's silence fill.
    const encoder = new OpusEncoder();
    this.silencePayload = encoder.encode(SILENT_FRAME);
    encoder.delete();
  }

  /**
   * Reconciles after a restart: legs a previous run of this instance left open died with
   * it; they are marked failed and their failures published, so call-control ends their
   * calls (media tells, because only media knows which legs an instance held).
   */
  async onApplicationBootstrap(): Promise<void> {
    const orphans = await this.rows.failOrphans();
    if (orphans > 0) {
      this.logger.warn({ orphans }, 'marked legs of a previous run as failed');
      this.failures.kick();
    }
  }

  /** A leg just came up: the clock feeds it, and an answered leg must connect in time. */
  supervise(leg: Leg): void {
    this.ensureClock();
    if (leg.state === 'answered') this.expectMedia(leg);
  }

  /** The SDP exchange is done: WhatsApp's media must arrive within LEG_CONNECT_TIMEOUT_MS. */
  expectMedia(leg: Leg): void {
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

  /** The leg moved to `connected` (WhatsApp's first packet): published, recorded, announced. */
  connected(leg: Leg): void {
    const connectedAt = leg.connectedAt ?? new Date();
    this.clearConnectTimer(leg.callSid);
    this.bus.publish('media.v1.leg.connected', {
      callSid: leg.callSid,
      connectedAt: connectedAt.toISOString(),
    });
    this.record(leg, { state: 'connected', connectedAt });
    this.registry.announceConnected(leg);
    this.logger.info({ callSid: leg.callSid }, 'leg connected');
  }

  /** Updates the leg's row in the background (a failed write is logged, the call goes on). */
  record(leg: Leg, changes: Parameters<WhatsAppLegsRepository['update']>[1]): void {
    const rowId = this.registry.rowIdOf(leg.callSid);
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

  /** Tears the leg down and has `media.v1.leg.failed` published (from its row). */
  async fail(callSid: string, reason: string): Promise<void> {
    const leg = this.registry.get(callSid);
    if (!leg) return;
    this.logger.warn({ callSid, reason }, 'leg failed');
    await this.close(callSid, 'failed', reason);
  }

  /** Tears a leg down; false when there was none. */
  async close(callSid: string, reason: LegEndReason = 'closed', detail?: string): Promise<boolean> {
    const registered = this.registry.remove(callSid, reason);
    if (!registered) return this.registry.requestCloseDuringSetUp(callSid);
    const { leg, rowId } = registered;
    this.clearConnectTimer(callSid);
    const outcome = reason === 'failed' ? 'failed' : 'closed';
    leg.end(outcome);
    await this.edge.release(callSid).catch((error: unknown) => {
      this.logger.warn({ callSid, err: error }, 'rtpengine delete failed');
      return false;
    });
    // A leg not closed on request (failed, cut by shutdown) leaves its call without media:
    // call-control must hear of it.
    const failurePending = reason !== 'closed';
    await this.rows
      .update(rowId, {
        state: outcome,
        closedAt: new Date(),
        endReason: detail ? `${reason}: ${detail}`.slice(0, 200) : reason,
        failurePending,
      })
      .catch((error: unknown) =>
        this.logger.error({ callSid, err: error }, 'could not record the leg end'),
      );
    if (failurePending) this.failures.kick();
    if (this.registry.size === 0) {
      this.unsubscribeClock?.();
      this.unsubscribeClock = null;
      for (const resolve of this.drained) resolve();
    }
    this.logger.info({ callSid, reason, detail }, 'leg closed');
    return true;
  }

  private clearConnectTimer(callSid: string): void {
    const timer = this.connectTimers.get(callSid);
    if (timer) clearTimeout(timer);
    this.connectTimers.delete(callSid);
  }

  // ---- the clock ------------------------------------------------------------------------------

  private ensureClock(): void {
    if (this.unsubscribeClock) return;
    this.unsubscribeClock = this.clock.subscribe((tick) => this.onTick(tick));
  }

  private onTick(tick: number): void {
    for (const leg of this.registry.all()) {
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
    for (const leg of this.registry.all()) {
      if (leg.lostMedia(now, this.env.LEG_MEDIA_TIMEOUT_MS)) {
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
    this.registry.stopAccepting();
    const graceMs = Math.max(0, this.env.SHUTDOWN_GRACE_MS - 1_000);
    if (this.registry.size > 0) {
      this.logger.info({ legs: this.registry.size, graceMs }, 'draining legs');
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
    const left = this.registry.callSids();
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
