import { type StreamEndedV1, type StreamStartRequestV1 } from '@parley/contracts';
import type WebSocket from 'ws';
import { type RawData } from 'ws';
import { type Leg } from '../legs/leg';
import { type RtpView } from '../legs/rtp';
import { type LiveFeed } from '../playback/prompt-player';
import { ChannelDecoder } from '../recordings/channel-decoder';
import { parseServerMessage, StreamMessageWriter, type WireTrack } from './media-stream-protocol';
import { MEDIA_FORMATS, StreamAudioDecoder, StreamAudioEncoder } from './stream-audio';

export type StreamEndReason = StreamEndedV1['reason'];

export interface StreamEnd {
  reason: StreamEndReason;
  errorCode: number | null;
  message: string | null;
}

/** What a stream needs around it; the service supplies the real ones. */
export interface MediaStreamDeps {
  socket: WebSocket;
  leg: Pick<Leg, 'codecs' | 'addInboundListener' | 'addOutboundListener'>;
  /** Opens the live playback the server's audio goes to (bidirectional only). */
  openPlayback: (onMark: (name: string) => void, onDone: () => void) => LiveFeed;
  /** Subscribes to the caller's key presses; returns the unsubscribe. */
  onDigit: (listener: (digit: string) => void) => () => void;
  /** A problem Twilio would log (malformed message, 31951); the stream goes on. */
  warn: (code: number, message: string) => void;
  /** Told once, when the stream is over. */
  onEnd: (end: StreamEnd) => void;
  now?: () => number;
}

/** Audio queued to the server beyond this (socket not draining) ends the stream (31921). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Close codes that are a server's normal goodbye. */
const NORMAL_CLOSE = new Set([1000, 1001, 1005]);

/**
 * One Media Stream on one call, after its WebSocket opened: `connected` and `start`, then
 * the chosen tracks' audio as 20 ms mu-law `media` messages. Bidirectional (`<Connect>`):
 * the server's `media` is played to the caller in order, `mark` is echoed when the audio
 * before it has been played, `clear` drops what is queued, and the caller's keys go out as
 * `dtmf`. It ends when the server closes the socket, when stopped, or when the call ends
 * (`stop` is sent first in the last two).
 */
export class MediaStream {
  private readonly writer: StreamMessageWriter;
  private readonly detach: Array<() => void> = [];
  private readonly decoders: ChannelDecoder[] = [];
  private playback: LiveFeed | null = null;
  private readonly fromServer: StreamAudioDecoder;
  private readonly now: () => number;
  private startedAt = 0;
  private ended = false;

  constructor(
    readonly request: StreamStartRequestV1,
    private readonly deps: MediaStreamDeps,
  ) {
    this.writer = new StreamMessageWriter(request);
    this.fromServer = new StreamAudioDecoder(request.mediaFormat);
    this.now = deps.now ?? (() => performance.now());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Greets the server and starts forwarding audio. */
  begin(): void {
    const { socket } = this.deps;
    const req = this.request;
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
    socket.on('error', (error) =>
      this.finish({ reason: 'failed', errorCode: 31921, message: error.message }),
    );
    const tracks: WireTrack[] =
      req.track === 'both_tracks'
        ? ['inbound', 'outbound']
        : req.track === 'outbound_track'
          ? ['outbound']
          : ['inbound'];
    this.startedAt = this.now();
    this.send(this.writer.connected());
    this.send(
      this.writer.start({
        streamSid: req.streamSid,
        accountSid: req.accountSid,
        callSid: req.callSid,
        tracks,
        customParameters: req.customParameters,
        mediaFormat: MEDIA_FORMATS[req.mediaFormat],
      }),
    );
    for (const track of tracks) this.tap(track);
    if (req.bidirectional) {
      this.playback = this.deps.openPlayback(
        (name) => this.send(this.writer.mark(name)),
        () => {
          // Stopped with the leg's prompts (the leg is closing): the stream ends with it.
          this.playback = null;
          this.stop('hangup');
        },
      );
      this.detach.push(this.deps.onDigit((digit) => this.send(this.writer.dtmf(digit))));
    }
  }

  /** Sends `stop`, closes the socket and ends the stream (`<Stop>`, REST, hang-up). */
  stop(reason: 'stopped' | 'hangup'): void {
    if (this.ended) return;
    this.send(this.writer.stop());
    this.finish({ reason, errorCode: null, message: null });
  }

  private tap(track: WireTrack): void {
    const decoder = new ChannelDecoder(this.deps.leg.codecs.opusPayloadType, this.now);
    this.decoders.push(decoder);
    const encoder = new StreamAudioEncoder(this.request.mediaFormat);
    const onPacket = (packet: RtpView) => {
      if (this.ended) return;
      for (const frame of decoder.decode(packet)) {
        for (const chunk of encoder.encode(frame.pcm)) {
          this.send(this.writer.media(track, frame.atMs - this.startedAt, chunk));
        }
      }
    };
    this.detach.push(
      track === 'inbound'
        ? this.deps.leg.addInboundListener(onPacket)
        : this.deps.leg.addOutboundListener(onPacket),
    );
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    if (isBinary) {
      this.deps.warn(31951, 'binary message ignored: Media Streams messages are JSON text');
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseServerMessage(text, this.request.streamSid);
    if (!parsed.ok) {
      this.deps.warn(31951, `malformed message ignored: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    if (message === null) return;
    const playback = this.playback;
    if (!playback) {
      this.deps.warn(31951, `${message.event} ignored: the stream is not bidirectional (<Start>)`);
      return;
    }
    switch (message.event) {
      case 'media':
        for (const frame of this.fromServer.decode(message.audio)) playback.push(frame);
        return;
      case 'mark':
        playback.mark(message.name);
        return;
      case 'clear':
        this.fromServer.reset();
        playback.clear();
        return;
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.ended) return;
    const normal = NORMAL_CLOSE.has(code);
    this.finish({
      reason: 'closed',
      errorCode: normal ? null : 31921,
      message: normal ? null : `the server closed the WebSocket with ${code} ${reason}`.trim(),
    });
  }

  private send(text: string): void {
    const { socket } = this.deps;
    if (this.ended || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.finish({
        reason: 'failed',
        errorCode: 31921,
        message: `the server does not read its WebSocket (${socket.bufferedAmount} bytes queued)`,
      });
      return;
    }
    socket.send(text);
  }

  private finish(end: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    for (const detach of this.detach.splice(0)) detach();
    for (const decoder of this.decoders.splice(0)) decoder.dispose();
    const playback = this.playback;
    this.playback = null;
    playback?.close();
    const { socket } = this.deps;
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
      if (end.reason === 'failed') socket.terminate();
      else socket.close(1000);
    }
    this.deps.onEnd(end);
  }
}
