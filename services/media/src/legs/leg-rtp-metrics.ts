import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MetricsService, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Gauge } from 'prom-client';
import { LegRegistry } from './leg-registry';
import { type RtpStreamQuality } from './rtp-quality';

interface LegQuality {
  callSid: string;
  direction: string;
  quality: RtpStreamQuality;
}

type Field = 'packets' | 'packetsLost' | 'fractionLost' | 'jitterSeconds';

/**
 * Loss and jitter of the audio WhatsApp sends, per leg, read from mediasoup at each scrape
 * (`parley_media_leg_rtp_*{call_sid, direction}`). One series per live leg and metric: the
 * label set is bounded by MEDIA_MAX_LEGS and a leg's series go with the leg.
 */
@Injectable()
export class LegRtpMetrics implements OnApplicationBootstrap {
  /** The statistics read for the scrape under way, shared by the gauges. */
  private reading: Promise<LegQuality[]> | undefined;

  constructor(
    private readonly legs: LegRegistry,
    private readonly metrics: MetricsService,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  onApplicationBootstrap(): void {
    const read = (): Promise<LegQuality[]> => this.shared();
    /** A gauge's collect: one series per leg with a value for `field`. */
    const collectOf = (field: Field) =>
      async function collect(this: Gauge<'call_sid' | 'direction'>): Promise<void> {
        const rows = await read();
        this.reset();
        for (const { callSid, direction, quality } of rows) {
          const value = quality[field];
          if (value !== null) this.set({ call_sid: callSid, direction }, value);
        }
      };
    const labelNames = ['call_sid', 'direction'] as const;
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'parley_media_leg_rtp_packets_received',
      help: 'RTP packets received from WhatsApp on a live leg.',
      labelNames,
      registers,
      collect: collectOf('packets'),
    });
    new Gauge({
      name: 'parley_media_leg_rtp_packets_lost',
      help: 'RTP packets from WhatsApp lost on a live leg since it started (updated at each RTCP report).',
      labelNames,
      registers,
      collect: collectOf('packetsLost'),
    });
    new Gauge({
      name: 'parley_media_leg_rtp_fraction_lost',
      help: 'Share (0-1) of the RTP packets from WhatsApp lost on a live leg over the last RTCP report interval.',
      labelNames,
      registers,
      collect: collectOf('fractionLost'),
    });
    new Gauge({
      name: 'parley_media_leg_rtp_jitter_seconds',
      help: 'Interarrival jitter of the RTP from WhatsApp on a live leg (RFC 3550).',
      labelNames,
      registers,
      collect: collectOf('jitterSeconds'),
    });
  }

  /** Every live leg's received-stream quality (legs without an inbound stream yet are left out). */
  async read(): Promise<LegQuality[]> {
    const rows: LegQuality[] = [];
    for (const leg of [...this.legs.all()]) {
      try {
        const quality = await leg.receivedRtpQuality();
        if (quality) rows.push({ callSid: leg.callSid, direction: leg.direction, quality });
      } catch (error) {
        // The leg ended while its statistics were asked for.
        this.logger.debug({ callSid: leg.callSid, err: error }, 'leg RTP statistics unavailable');
      }
    }
    return rows;
  }

  private shared(): Promise<LegQuality[]> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }
}
