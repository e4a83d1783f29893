import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type Leg } from '../legs/leg';
import { LegRegistry } from '../legs/leg-registry';
import { type RtpView } from '../legs/rtp';

interface BridgeEnd {
  peer: string;
  /** Removes this leg's inbound forwarding to the peer. */
  stop: () => void;
}

/**
 * `<Dial>` bridges: each leg hears the other. The audio goes leg A's inbound tap ->
 * Node -> leg B's output, so B's WhatsApp side keeps hearing the one SSRC declared in
 * its SDP, and the switch from prompts or silence to the peer (and back) is a seamless
 * talkspurt on that stream. Legs may live on different workers (each leg has its own
 * router), so no mediasoup pipe is needed. Payload types are mapped per leg (an inbound
 * call keeps WhatsApp's numbers); DTMF events pass through as events.
 */
@Injectable()
export class BridgesService implements OnModuleInit {
  private readonly ends = new Map<string, BridgeEnd>();

  constructor(
    private readonly legs: LegRegistry,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onModuleInit(): void {
    this.legs.listen({
      closing: (leg) => {
        const end = this.ends.get(leg.callSid);
        if (end) this.unbridge(leg.callSid, end.peer);
      },
    });
  }

  create(callSid: string, otherCallSid: string): void {
    if (callSid === otherCallSid) throw new ParleyError(21220, 'a leg cannot be bridged to itself');
    const a = this.legs.require(callSid);
    const b = this.legs.require(otherCallSid);
    const current = [this.ends.get(callSid)?.peer, this.ends.get(otherCallSid)?.peer];
    if (current[0] === otherCallSid && current[1] === callSid) return; // already so
    for (const [leg, peer] of [
      [callSid, current[0]],
      [otherCallSid, current[1]],
    ] as const) {
      if (peer !== undefined) {
        throw new ParleyError(
          21220,
          `${leg} is already bridged to ${peer}; destroy that bridge first`,
        );
      }
    }
    this.ends.set(callSid, { peer: otherCallSid, stop: this.forward(a, b) });
    this.ends.set(otherCallSid, { peer: callSid, stop: this.forward(b, a) });
    this.logger.info({ callSid, otherCallSid }, 'legs bridged');
  }

  /** Idempotent: legs that are gone or not bridged together are fine. */
  destroy(callSid: string, otherCallSid: string): void {
    if (this.ends.get(callSid)?.peer === otherCallSid) this.unbridge(callSid, otherCallSid);
  }

  private unbridge(callSid: string, otherCallSid: string): void {
    for (const sid of [callSid, otherCallSid]) {
      this.ends.get(sid)?.stop();
      this.ends.delete(sid);
      // What the leg hears stops now: the next packet (silence or a prompt) starts anew.
      this.legs.get(sid)?.output.interrupt();
    }
    this.logger.info({ callSid, otherCallSid }, 'bridge destroyed');
  }

  /** Forwards what `from` says to `to`'s output, mapping payload types. */
  private forward(from: Leg, to: Leg): () => void {
    const source = `peer:${from.callSid}`;
    const opus = [from.codecs.opusPayloadType, to.codecs.opusPayloadType] as const;
    const te =
      from.codecs.telephoneEvent && to.codecs.telephoneEvent
        ? ([from.codecs.telephoneEvent.payloadType, to.codecs.telephoneEvent.payloadType] as const)
        : null;
    return from.addInboundListener((packet: RtpView) => {
      if (from.isHeld || !to.hearsPeer) return;
      let payloadType: number;
      if (packet.payloadType === opus[0]) payloadType = opus[1];
      else if (te && packet.payloadType === te[0]) payloadType = te[1];
      else return;
      to.output.send(source, { ...packet, payloadType });
    });
  }
}
