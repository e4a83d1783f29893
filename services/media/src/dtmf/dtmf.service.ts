import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { DtmfDetector, type DtmfEvent } from '../audio';
import { type Leg } from '../legs/leg';
import { LegRegistry } from '../legs/leg-registry';
import { MediaClock } from '../legs/media-clock';

export type DigitListener = (digit: string, leg: Leg) => void;

interface LegDtmf {
  detector: DtmfDetector;
  sequence: number;
}

/** Detectors whose end packets were all lost are flushed this often (in 20 ms ticks). */
const FLUSH_EVERY_TICKS = 5;

/**
 * Key presses WhatsApp users make: RFC 4733 events on each leg's telephone-event payload
 * type, read from the leg's inbound tap and turned into exactly one
 * `media.v1.dtmf.received` per press, in order (`sequence` counts from 0 per leg).
 */
@Injectable()
export class DtmfService implements OnModuleInit {
  private readonly legs = new Map<string, LegDtmf>();
  private readonly listeners = new Map<string, Set<DigitListener>>();
  private unsubscribeClock: (() => void) | null = null;

  constructor(
    private readonly registry: LegRegistry,
    private readonly clock: MediaClock,
    private readonly bus: NatsBus,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onModuleInit(): void {
    this.registry.listen({
      opened: (leg) => this.watch(leg),
      closing: (leg) => this.unwatch(leg),
    });
  }

  /** Local subscribers (a recording's finishOnKey) of a leg's key presses. */
  onDigit(callSid: string, listener: DigitListener): () => void {
    let set = this.listeners.get(callSid);
    if (!set) {
      set = new Set();
      this.listeners.set(callSid, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private watch(leg: Leg): void {
    const te = leg.codecs.telephoneEvent;
    if (!te) return;
    const state: LegDtmf = { detector: new DtmfDetector({ clockRate: te.clockRate }), sequence: 0 };
    this.legs.set(leg.callSid, state);
    leg.addInboundListener((packet) => {
      if (packet.payloadType !== te.payloadType) return;
      const event = state.detector.push(packet.payload, packet.timestamp, performance.now());
      if (event) this.emit(leg, state, event);
    });
    this.unsubscribeClock ??= this.clock.subscribe((tick) => {
      if (tick % FLUSH_EVERY_TICKS === 0) this.flushAll();
    });
  }

  private unwatch(leg: Leg): void {
    const state = this.legs.get(leg.callSid);
    if (state) {
      for (const event of state.detector.flush(Number.POSITIVE_INFINITY))
        this.emit(leg, state, event);
    }
    this.legs.delete(leg.callSid);
    this.listeners.delete(leg.callSid);
    if (this.legs.size === 0) {
      this.unsubscribeClock?.();
      this.unsubscribeClock = null;
    }
  }

  private flushAll(): void {
    const now = performance.now();
    for (const [callSid, state] of this.legs) {
      const leg = this.registry.get(callSid);
      if (!leg) continue;
      for (const event of state.detector.flush(now)) this.emit(leg, state, event);
    }
  }

  private emit(leg: Leg, state: LegDtmf, event: DtmfEvent): void {
    const sequence = state.sequence++;
    this.logger.debug({ callSid: leg.callSid, digit: event.digit, sequence }, 'DTMF received');
    this.bus.publish('media.v1.dtmf.received', {
      callSid: leg.callSid,
      digit: event.digit,
      durationMs: event.durationMs,
      sequence,
      receivedAt: new Date().toISOString(),
    });
    for (const listener of this.listeners.get(leg.callSid) ?? []) {
      try {
        listener(event.digit, leg);
      } catch (error) {
        this.logger.error({ callSid: leg.callSid, err: error }, 'DTMF listener failed');
      }
    }
  }
}
