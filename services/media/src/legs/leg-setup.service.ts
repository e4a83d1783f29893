import { Inject, Injectable } from '@nestjs/common';
import { ParleyError, type CallSid } from '@parley/contracts';
import {
  callSetupStepHistogram,
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  SetupSteps,
} from '@parley/nest-kit';
import { type Histogram } from 'prom-client';
import { type MediaEnv } from '../config/env.schema';
import { type SdpCodec } from '../edge/sdp/sdp';
import { OFFER_MID, WhatsAppEdge } from '../edge/whatsapp-edge';
import {
  LegAlreadyOpenError,
  WhatsAppLegsRepository,
} from '../whatsapp-legs/whatsapp-legs.repository';
import { WorkerPool } from '../workers/worker-pool';
import { canCarryDtmf, DEFAULT_CODECS, Leg, type LegCodecs, type LegDirection } from './leg';
import { LegRegistry } from './leg-registry';
import { recordedLegState } from './leg-state-machine';
import { LegSupervisionService } from './leg-supervision.service';

function sameCodecs(a: LegCodecs, b: LegCodecs): boolean {
  return (
    a.opusPayloadType === b.opusPayloadType &&
    a.telephoneEvent?.payloadType === b.telephoneEvent?.payloadType &&
    a.telephoneEvent?.clockRate === b.telephoneEvent?.clockRate
  );
}

/**
 * Awaits every promise (so none is left running behind a failure: whatever they build is
 * known before the caller cleans up), then the first failure, if any, is thrown.
 */
async function settledAll<T extends readonly unknown[]>(promises: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  return settledAll<[A, B]>([a, b]);
}

/**
 * Sets legs up: the SDP exchange through the edge (rtpengine) and the leg's mediasoup
 * objects, both ways (answer Meta's offer; make an offer, then apply Meta's answer), and the
 * leg's row. A leg that is up goes to the registry and under supervision; a set-up that
 * fails leaves nothing behind.
 */
@Injectable()
export class LegSetupService {
  private readonly setupSteps: Histogram<'step'>;

  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly workers: WorkerPool,
    private readonly edge: WhatsAppEdge,
    private readonly rows: WhatsAppLegsRepository,
    private readonly registry: LegRegistry,
    private readonly supervision: LegSupervisionService,
    metrics: MetricsService,
  ) {
    this.setupSteps = callSetupStepHistogram(metrics.registry);
  }

  /**
   * User-initiated call: answer Meta's offer. Media may flow as soon as this returns.
   *
   * Set-up time is what the caller waits for, so nothing here waits for what it does not
   * need: the leg's mediasoup objects are built from the payload types of Meta's offer
   * (rtpengine keeps them on its inner side) while rtpengine takes the offer; then the
   * PlainTransport's connect, WhatsApp's producer and rtpengine's answer go together.
   * Each step lands in `parley_call_setup_step_seconds{step="media.*"}`.
   */
  async answer(callSid: CallSid, sdpOffer: string): Promise<string> {
    const steps = new SetupSteps();
    const sdp = await this.setUp(
      callSid,
      'inbound',
      async (setLeg) => {
        const codecs = this.codecsFor(callSid, this.edge.readOffer(sdpOffer));
        const built = steps.time('media.leg_create', () =>
          this.createLeg(callSid, 'inbound', codecs).then((leg) => {
            setLeg(leg);
            return leg;
          }),
        );
        const [offer, first] = await settledBoth(
          steps.time('media.rtpengine_offer', () => this.edge.receiveOffer(callSid, sdpOffer)),
          built,
        );
        let leg = first;
        if (!sameCodecs(codecs, this.codecsFor(callSid, offer.inner))) {
          // rtpengine renumbered the payload types: the leg is rebuilt for its inner side.
          leg.end('failed');
          leg = await this.createLeg(callSid, 'inbound', this.codecsFor(callSid, offer.inner));
          setLeg(leg);
        }
        const ready = leg;
        const [, , answer] = await steps.time('media.connect_and_rtpengine_answer', () =>
          settledAll([
            ready.connectRemote(offer.inner),
            this.startInbound(ready, offer.inner.ssrc ?? offer.whatsapp.ssrc),
            this.edge.answer(callSid, offer.whatsapp, ready.localEndpoint(offer.inner.mid)),
          ] as const),
        );
        return { leg: ready, sdp: answer };
      },
      steps,
    );
    steps.observe(this.setupSteps);
    this.logger.debug({ callSid, steps: steps.summary() }, 'leg answer steps');
    return sdp;
  }

  /** The leg's payload types for an offer's codecs (no DTMF when mediasoup cannot carry it). */
  private codecsFor(
    callSid: CallSid,
    d: { opus: { payloadType: number }; telephoneEvent: SdpCodec | null },
  ): LegCodecs {
    const te = d.telephoneEvent;
    if (te && !canCarryDtmf(te.clockRate)) {
      this.logger.warn(
        { callSid, clockRate: te.clockRate },
        'telephone-event clock rate unsupported: no DTMF',
      );
    }
    return {
      opusPayloadType: d.opus.payloadType,
      telephoneEvent:
        te && canCarryDtmf(te.clockRate)
          ? { payloadType: te.payloadType, clockRate: te.clockRate }
          : null,
    };
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
    const leg = this.registry.require(callSid);
    if (!leg.claimForAnswer()) {
      throw new ParleyError(
        21220,
        `the leg of ${callSid} is ${leg.state}, not waiting for an answer`,
      );
    }
    try {
      const answer = await this.edge.receiveAnswer(callSid, sdpAnswer);
      await leg.connectRemote(answer.inner);
      await this.startInbound(leg, answer.inner.ssrc ?? answer.whatsapp.ssrc);
    } catch (error) {
      leg.answerFailed();
      throw error;
    }
    // A leg closed while the answer was applied stays closed: nothing to supervise.
    if (!leg.answerApplied()) return;
    this.supervision.expectMedia(leg);
    this.supervision.record(leg, { state: 'answered' });
  }

  private async setUp(
    callSid: CallSid,
    direction: LegDirection,
    run: (setLeg: (leg: Leg) => void) => Promise<{ leg: Leg; sdp: string }>,
    steps: SetupSteps = new SetupSteps(),
  ): Promise<string> {
    this.registry.reserve(callSid);
    let leg: Leg | null = null;
    try {
      const result = await run((l) => (leg = l));
      const created = result.leg;
      const rowId = await steps.time('media.leg_row', () =>
        this.rows.open({
          callSid,
          direction,
          state: recordedLegState(created.state),
          workerPid: created.worker.pid,
          routerId: created.router.id,
        }),
      );
      this.registry.add(created, rowId);
      if (this.registry.closeRequestedDuringSetUp(callSid)) {
        await this.supervision.close(callSid);
        throw new ParleyError(21220, `call ${callSid} was closed while its leg was being set up`);
      }
      this.supervision.supervise(created);
      this.logger.info({ callSid, direction, worker: created.worker.pid }, 'leg set up');
      return result.sdp;
    } catch (error) {
      // A leg closed above is already `closed`; the table keeps it so.
      (leg as Leg | null)?.end('failed');
      await this.edge.release(callSid).catch(() => false);
      if (error instanceof LegAlreadyOpenError) {
        throw new ParleyError(21220, `call ${callSid} already has an open media leg elsewhere`);
      }
      throw error;
    } finally {
      this.registry.unreserve(callSid);
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
      onConnected: (leg) => this.supervision.connected(leg),
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
}
