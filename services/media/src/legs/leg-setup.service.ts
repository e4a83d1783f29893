import { Inject, Injectable } from '@nestjs/common';
import { ParleyError, type CallSid } from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type MediaEnv } from '../config/env.schema';
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

/**
 * Sets legs up: the SDP exchange through the edge (rtpengine) and the leg's mediasoup
 * objects, both ways (answer Meta's offer; make an offer, then apply Meta's answer), and the
 * leg's row. A leg that is up goes to the registry and under supervision; a set-up that
 * fails leaves nothing behind.
 */
@Injectable()
export class LegSetupService {
  constructor(
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly workers: WorkerPool,
    private readonly edge: WhatsAppEdge,
    private readonly rows: WhatsAppLegsRepository,
    private readonly registry: LegRegistry,
    private readonly supervision: LegSupervisionService,
  ) {}

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
  ): Promise<string> {
    this.registry.reserve(callSid);
    let leg: Leg | null = null;
    try {
      const result = await run((l) => (leg = l));
      const created = result.leg;
      const rowId = await this.rows.open({
        callSid,
        direction,
        state: recordedLegState(created.state),
        workerPid: created.worker.pid,
        routerId: created.router.id,
      });
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
