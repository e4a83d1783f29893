import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type EventPayload,
  NatsBus,
  ParleyError,
  type StreamStartRequestV1,
} from '@parley/contracts';
import { BackgroundTasks, PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { AddressPolicy } from '@parley/webhooks';
import { type MediaEnv } from '../config/env.schema';
import { DtmfService } from '../dtmf/dtmf.service';
import { LegRegistry } from '../legs/leg-registry';
import { PlaybackService } from '../playback/playback.service';
import { MediaStream, type StreamEnd } from './media-stream';
import { openStreamSocket, parseStreamUrl } from './stream-socket';

/** The fields every durable stream event repeats from the stream's request. */
type StreamEventBase = Omit<EventPayload<'media.v1.stream.started'>, 'startedAt'>;

interface Entry {
  request: StreamStartRequestV1;
  /** Set once the socket is open; until then a stop only cancels the connection. */
  stream: MediaStream | null;
  cancelled: boolean;
}

/**
 * `media.v1.stream.*`: Media Streams of the legs on this instance. Media holds the
 * WebSocket because the audio is here: the leg's Opus is decoded once, turned into the
 * stream's mu-law and sent, and the server's audio is encoded straight into the leg's
 * output, without a second hop over NATS. A stream whose socket opened is announced by a
 * durable `media.v1.stream.started`; every stream ends with one durable
 * `media.v1.stream.ended` (closed, stopped, hangup, failed with its 319xx code).
 */
@Injectable()
export class StreamsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly streams = new Map<string, Entry>();
  /** Aborted at shutdown: a publish still retrying gives up then. */
  private readonly stopping = new AbortController();
  private readonly policy: AddressPolicy;

  constructor(
    private readonly legs: LegRegistry,
    private readonly playback: PlaybackService,
    private readonly dtmf: DtmfService,
    private readonly bus: NatsBus,
    private readonly background: BackgroundTasks,
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {
    this.policy = new AddressPolicy({
      allowPrivateNetworks: env.MEDIA_STREAM_ALLOW_PRIVATE_NETWORKS,
    });
  }

  onModuleInit(): void {
    this.legs.listen({
      closing: (leg) => {
        for (const entry of [...this.streams.values()]) {
          if (entry.request.callSid === leg.callSid) this.stopEntry(entry, 'hangup');
        }
      },
    });
  }

  /**
   * Checks the request and connects in the background: the reply does not wait for the
   * handshake, whose failure (31920) is reported by `media.v1.stream.ended`.
   */
  start(request: StreamStartRequestV1): void {
    if (this.streams.has(request.streamSid)) {
      throw new ParleyError(21220, `stream ${request.streamSid} is already running`);
    }
    this.legs.require(request.callSid);
    parseStreamUrl(request.url);
    if (request.bidirectional && request.track !== 'inbound_track') {
      // Twilio: a <Connect><Stream> carries the inbound track only.
      throw new ParleyError(
        31941,
        `a bidirectional stream carries inbound_track only, not ${request.track}`,
      );
    }
    const entry: Entry = { request, stream: null, cancelled: false };
    this.streams.set(request.streamSid, entry);
    this.background.track(this.connect(entry), `stream ${request.streamSid}`);
  }

  /** Stops a stream by sid or name, or every stream of the call; returns how many. */
  stop(callSid: string, by: { streamSid?: string; name?: string }): number {
    let stopped = 0;
    for (const entry of [...this.streams.values()]) {
      const r = entry.request;
      if (r.callSid !== callSid) continue;
      if (by.streamSid !== undefined && r.streamSid !== by.streamSid) continue;
      if (by.name !== undefined && r.name !== by.name) continue;
      this.stopEntry(entry, 'stopped');
      stopped++;
    }
    return stopped;
  }

  get size(): number {
    return this.streams.size;
  }

  beforeApplicationShutdown(): void {
    for (const entry of [...this.streams.values()]) this.stopEntry(entry, 'hangup');
    this.stopping.abort();
  }

  private stopEntry(entry: Entry, reason: 'stopped' | 'hangup'): void {
    if (entry.stream) {
      entry.stream.stop(reason);
    } else if (!entry.cancelled) {
      entry.cancelled = true;
      this.ended(entry, { reason, errorCode: null, message: null });
    }
  }

  private async connect(entry: Entry): Promise<void> {
    const { request } = entry;
    const log = this.logger.child({ callSid: request.callSid, streamSid: request.streamSid });
    let socket;
    try {
      socket = await openStreamSocket(request.url, {
        policy: this.policy,
        handshakeTimeoutMs: this.env.MEDIA_STREAM_HANDSHAKE_TIMEOUT_MS,
      });
    } catch (error) {
      if (entry.cancelled) return;
      const code = error instanceof ParleyError ? error.code : 31920;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ code }, `stream failed to connect: ${message}`);
      entry.cancelled = true;
      this.ended(entry, { reason: 'failed', errorCode: code, message });
      return;
    }
    const leg = this.legs.get(request.callSid);
    if (entry.cancelled || !leg) {
      // Stopped, or the call ended, while the handshake ran.
      socket.close(1000);
      if (!entry.cancelled) {
        entry.cancelled = true;
        this.ended(entry, { reason: 'hangup', errorCode: null, message: null });
      }
      return;
    }
    const stream = new MediaStream(request, {
      socket,
      leg,
      openPlayback: (onMark, onDone) =>
        this.playback.openLive(request.callSid, `stream-${request.streamSid}`, onMark, onDone),
      onDigit: (listener) => this.dtmf.onDigit(request.callSid, listener),
      warn: (code, message) => log.warn({ code }, `stream: ${message}`),
      onEnd: (end) => this.ended(entry, end),
    });
    entry.stream = stream;
    stream.begin();
    log.info({ bidirectional: request.bidirectional, track: request.track }, 'stream started');
    this.publish('media.v1.stream.started', {
      ...this.describe(request),
      startedAt: new Date().toISOString(),
    });
  }

  private ended(entry: Entry, end: StreamEnd): void {
    const { request } = entry;
    this.streams.delete(request.streamSid);
    this.logger.info(
      { callSid: request.callSid, streamSid: request.streamSid, ...end },
      'stream ended',
    );
    this.publish('media.v1.stream.ended', {
      ...this.describe(request),
      reason: end.reason,
      errorCode: end.errorCode,
      errorMessage: end.message === null ? null : end.message.slice(0, 1024),
      endedAt: new Date().toISOString(),
    });
  }

  private describe(request: StreamStartRequestV1): StreamEventBase {
    return {
      streamSid: request.streamSid,
      callSid: request.callSid,
      accountSid: request.accountSid,
      name: request.name ?? null,
      url: request.url,
      track: request.track,
      bidirectional: request.bidirectional,
      statusCallback: request.statusCallback,
    };
  }

  /**
   * Durable, de-duplicated by `${streamSid}:started|ended`, retried (backing off to 5 s)
   * while the process lives: the interpreter waits for the end of a `<Connect><Stream>`
   * and call-control records both for the Stream resource and its status callbacks.
   */
  private publish<S extends 'media.v1.stream.started' | 'media.v1.stream.ended'>(
    subject: S,
    payload: EventPayload<S>,
  ): void {
    const msgId = `${payload.streamSid}:${subject === 'media.v1.stream.started' ? 'started' : 'ended'}`;
    const attempt = async (): Promise<void> => {
      for (let n = 1; ; n++) {
        try {
          await this.bus.publishDurable(subject, payload, {
            msgId,
            correlationId: payload.callSid,
          });
          return;
        } catch (error) {
          if (this.stopping.signal.aborted) {
            this.logger.error({ err: error, msgId }, `${subject} not published before shutdown`);
            return;
          }
          this.logger[n === 1 ? 'warn' : 'error'](
            { err: error, msgId, attempt: n },
            `could not publish ${subject}; retrying`,
          );
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(n, 6)), undefined, {
            signal: this.stopping.signal,
          }).catch(() => undefined);
        }
      }
    };
    this.background.track(attempt(), msgId);
  }
}
