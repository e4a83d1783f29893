import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  NatsBus,
  ParleyError,
  type RecordingCompletedV1,
  type RecordingStartRequestV1,
} from '@parley/contracts';
import { MetricsService, PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Counter, Gauge } from 'prom-client';
import { type RecordingStorage } from '@parley/recording-storage';
import { type z } from 'zod';
import { beepFrames, Recorder, type RecorderStop } from '../audio';
import { type MediaEnv } from '../config/env.schema';
import { DtmfService } from '../dtmf/dtmf.service';
import { type Leg } from '../legs/leg';
import { LegRegistry } from '../legs/leg-registry';
import { PlaybackService } from '../playback/playback.service';
import { ChannelDecoder } from './channel-decoder';

export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');

type StartRequest = z.infer<typeof RecordingStartRequestV1>;
type EndReason = RecordingCompletedV1['reason'];

interface Active {
  req: StartRequest;
  recorder: Recorder;
  startedAt: Date;
  /** Removes taps and listeners. */
  detach: (() => void)[];
  decoders: ChannelDecoder[];
  ending: Promise<void> | null;
}

/** What feeds a recorder channel: a leg's inbound (what it says) or outbound (hears). */
interface Feed {
  leg: Leg;
  direction: 'inbound' | 'outbound';
  channel: 0 | 1;
}

/**
 * `media.v1.recording.*`: recordings of a leg (mono, or inbound/outbound on two channels)
 * or of a bridged pair (dual: `callSid` on channel 1, `otherCallSid` on channel 2). Audio
 * is decoded from the legs' RTP as it flows and written by the audio library's Recorder
 * to a temporary WAV; at the end (stop, max length, silence, finish key, hangup) the WAV
 * goes to storage and `media.v1.recording.completed` is published durably, de-duplicated
 * by the RecordingSid.
 */
@Injectable()
export class RecordingsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly active = new Map<string, Active>();
  private readonly ending = new Set<Promise<void>>();
  /** Completions not yet accepted by JetStream (retried until they are, or shutdown). */
  private readonly unpublished = new Set<string>();
  private readonly publishFailures: Counter;
  /** Aborted when shutdown's share of the grace period is spent: retries end then. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly legs: LegRegistry,
    private readonly dtmf: DtmfService,
    private readonly playback: PlaybackService,
    private readonly bus: NatsBus,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
  ) {
    this.publishFailures = new Counter({
      name: 'parley_media_recording_completion_publish_failures_total',
      help: 'Failed attempts to publish media.v1.recording.completed (each is retried).',
      registers: [metrics.registry],
    });
    const unpublished = this.unpublished;
    new Gauge({
      name: 'parley_media_recording_completions_unpublished',
      help: 'Finished recordings whose completion JetStream has not accepted yet.',
      registers: [metrics.registry],
      collect() {
        this.set(unpublished.size);
      },
    });
  }

  onModuleInit(): void {
    this.legs.listen({
      closing: (leg) => {
        for (const rec of this.active.values()) {
          if (rec.req.callSid === leg.callSid || rec.req.otherCallSid === leg.callSid) {
            this.end(rec, 'hangup', null);
          }
        }
      },
    });
  }

  async start(req: StartRequest): Promise<void> {
    if (this.active.has(req.recordingSid)) {
      throw new ParleyError(21220, `recording ${req.recordingSid} is already running`);
    }
    const leg = this.legs.require(req.callSid);
    const other = req.otherCallSid ? this.legs.require(req.otherCallSid) : null;
    if (other === leg) throw new ParleyError(21220, 'otherCallSid must be another leg');
    const recorder = await Recorder.create({
      channels: req.channels,
      sampleRate: this.env.RECORDINGS_SAMPLE_RATE,
      maxLengthSec: req.maxLengthSec,
      silenceTimeoutSec: req.silenceTimeoutSec,
      trimSilence: req.trimSilence,
      ...(this.env.RECORDINGS_TMP_DIR ? { tmpDir: this.env.RECORDINGS_TMP_DIR } : {}),
    });
    // A leg may have closed while the file was being opened.
    if (leg.closed || other?.closed) {
      await recorder.discard();
      throw new ParleyError(20404, `call ${req.callSid} ended before the recording started`);
    }
    const rec: Active = {
      req,
      recorder,
      startedAt: new Date(),
      detach: [],
      decoders: [],
      ending: null,
    };
    this.active.set(req.recordingSid, rec);
    if (req.finishOnKey) {
      rec.detach.push(
        this.dtmf.onDigit(req.callSid, (digit) => {
          if (req.finishOnKey.includes(digit)) this.end(rec, 'finish-key', digit);
        }),
      );
    }
    const attach = () => {
      if (rec.ending) return;
      rec.startedAt = new Date();
      for (const feed of this.feedsOf(req, leg, other)) this.tap(rec, feed);
    };
    if (req.playBeep) {
      // The recording starts when the beep has been heard (Twilio's <Record playBeep>).
      void this.playback.playFrames(req.callSid, beepFrames()).then(attach, attach);
    } else {
      attach();
    }
    this.logger.info(
      { recordingSid: req.recordingSid, callSid: req.callSid, channels: req.channels },
      'recording started',
    );
  }

  stop(recordingSid: string): void {
    const rec = this.active.get(recordingSid);
    if (!rec) throw new ParleyError(20404, `no recording ${recordingSid} on this instance`);
    this.end(rec, 'stopped', null);
  }

  /** Lets recordings cut short by the shutdown reach storage and NATS. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const rec of [...this.active.values()]) this.end(rec, 'hangup', null);
    // Publishing retries stop with the service: what is still unpublished then is closed by
    // call-control's reconciler from the stored file.
    const deadline = setTimeout(() => this.stopping.abort(), this.env.SHUTDOWN_GRACE_MS / 2);
    await Promise.allSettled([...this.ending]);
    clearTimeout(deadline);
    this.stopping.abort();
  }

  /**
   * Channels: dual with another leg = each leg's inbound on its own channel; dual alone =
   * inbound and outbound; mono = the same, mixed (with another leg, `track` is moot: each
   * leg hears what the other says).
   */
  private feedsOf(req: StartRequest, leg: Leg, other: Leg | null): Feed[] {
    if (other) {
      return [
        { leg, direction: 'inbound', channel: 0 },
        { leg: other, direction: 'inbound', channel: 1 },
      ];
    }
    if (req.channels === 'dual' || req.track === 'both') {
      return [
        { leg, direction: 'inbound', channel: 0 },
        { leg, direction: 'outbound', channel: 1 },
      ];
    }
    return [{ leg, direction: req.track, channel: 0 }];
  }

  private tap(rec: Active, feed: Feed): void {
    const decoder = new ChannelDecoder(feed.leg.codecs.opusPayloadType);
    rec.decoders.push(decoder);
    const onPacket = (packet: Parameters<ChannelDecoder['decode']>[0]) => {
      if (rec.ending) return;
      let stop: RecorderStop | null = null;
      for (const frame of decoder.decode(packet)) {
        stop = rec.recorder.push(feed.channel, frame.pcm, frame.atMs) ?? stop;
      }
      if (stop) this.end(rec, stop, null);
    };
    rec.detach.push(
      feed.direction === 'inbound'
        ? feed.leg.addInboundListener(onPacket)
        : feed.leg.addOutboundListener(onPacket),
    );
  }

  private end(rec: Active, reason: EndReason, key: string | null): void {
    if (rec.ending) return;
    for (const detach of rec.detach) detach();
    rec.ending = this.complete(rec, reason, key).finally(() => {
      this.active.delete(rec.req.recordingSid);
      for (const d of rec.decoders) d.dispose();
      if (rec.ending) this.ending.delete(rec.ending);
    });
    this.ending.add(rec.ending);
  }

  private async complete(rec: Active, reason: EndReason, key: string | null): Promise<void> {
    const { req } = rec;
    let payload: RecordingCompletedV1;
    const channels: 1 | 2 = req.channels === 'dual' ? 2 : 1;
    const base = {
      recordingSid: req.recordingSid,
      accountSid: req.accountSid,
      callSid: req.callSid,
      source: req.source,
      track: req.track,
      finishedOnKey: reason === 'finish-key' ? key : null,
      channels,
      startedAt: rec.startedAt.toISOString(),
    };
    try {
      const result = await rec.recorder.finish(reason);
      if (result.durationMs === 0) {
        await result.dispose();
        payload = {
          ...base,
          status: 'absent',
          reason,
          durationSec: 0,
          storageUri: null,
          sizeBytes: 0,
          completedAt: new Date().toISOString(),
        };
      } else {
        const stored = await result.saveTo(
          this.storage,
          `${req.accountSid}/${req.recordingSid}.wav`,
        );
        payload = {
          ...base,
          status: 'completed',
          reason,
          durationSec: result.durationSec,
          storageUri: stored.uri,
          sizeBytes: stored.sizeBytes,
          completedAt: new Date().toISOString(),
        };
      }
    } catch (error) {
      this.logger.error({ recordingSid: req.recordingSid, err: error }, 'recording failed');
      payload = {
        ...base,
        status: 'failed',
        reason: 'error',
        durationSec: 0,
        storageUri: null,
        sizeBytes: 0,
        completedAt: new Date().toISOString(),
      };
    }
    await this.publish(payload);
  }

  /**
   * Durable, de-duplicated by RecordingSid, retried (backing off to 30 s) for as long as
   * the process lives: a JetStream outage delays recording metadata but never drops it.
   * Counted in `parley_media_recording_completions_unpublished`; if the process stops
   * first, the WAV is already in storage and call-control's reconciler closes the
   * recording from it.
   */
  private async publish(payload: RecordingCompletedV1): Promise<void> {
    this.unpublished.add(payload.recordingSid);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.bus.publishDurable('media.v1.recording.completed', payload, {
            msgId: payload.recordingSid,
          });
          this.logger.info(
            { recordingSid: payload.recordingSid, status: payload.status, reason: payload.reason },
            'recording completed',
          );
          return;
        } catch (error) {
          this.publishFailures.inc();
          const level = attempt === 1 ? 'warn' : 'error';
          if (this.stopping.signal.aborted) {
            this.logger.error(
              { err: error, payload },
              'recording.completed not published before shutdown; call-control reconciles it from storage',
            );
            return;
          }
          this.logger[level](
            { err: error, recordingSid: payload.recordingSid, attempt },
            'could not publish recording.completed; retrying',
          );
          const delayMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
          await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        }
      }
    } finally {
      this.unpublished.delete(payload.recordingSid);
    }
  }
}
