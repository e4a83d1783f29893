import { resample } from './audio';
import { decodeMulaw, mulawRms } from './mulaw';

/** What the agent sends to Parley (Twilio's server-to-Parley messages). */
export type AgentMessage =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

export interface EchoOptions {
  /** The greeting, 8 kHz mu-law, played when the stream starts. */
  greeting: Buffer;
  /** How long the agent holds what it hears before saying it back (default 1000 ms). */
  delayMs?: number;
  /** Caller loudness (RMS, 16-bit units) that interrupts the greeting (default 1000). */
  bargeInRms?: number;
  /**
   * Frames quieter than this (RMS, 16-bit units; default 200) are not said back, so the
   * caller's silence never queues up in Parley's playback ahead of the next words.
   */
  silenceRms?: number;
  /** Sees every caller frame as it arrives and every frame as it is said back (measuring). */
  onAudio?: (direction: 'heard' | 'said', frame: Buffer) => void;
}

/** The agent marks what it has sent every this many frames (one second). */
const MARK_EVERY_FRAMES = 50;
const FRAME_MS = 20;

type Format = 'mulaw-8k' | 'l16-16k';

/**
 * One call's echo: on `start` it plays the greeting (then a `greeting` mark); everything
 * the caller says comes back `delayMs` later, in the caller's own 20 ms frames (silence
 * left out), with a `echo-<n>` mark each second said back. Speech during the greeting interrupts it with `clear`
 * (barge-in). Pure: messages in, messages out through `send`.
 */
export class EchoSession {
  streamSid: string | null = null;
  format: Format = 'mulaw-8k';
  /** True from the greeting's first frame until its mark comes back (or barge-in). */
  greeting = false;
  stopped = false;
  /** Marks Parley echoed back: the audio before each has been played to the caller. */
  readonly played: string[] = [];
  customParameters: Record<string, string> = {};
  private readonly line: Buffer[] = [];
  private readonly delayFrames: number;
  private readonly bargeInRms: number;
  private readonly silenceRms: number;
  private echoedFrames = 0;

  constructor(
    private readonly send: (message: AgentMessage) => void,
    private readonly options: EchoOptions,
  ) {
    this.delayFrames = Math.max(1, Math.round((options.delayMs ?? 1000) / FRAME_MS));
    this.bargeInRms = options.bargeInRms ?? 1000;
    this.silenceRms = options.silenceRms ?? 200;
  }

  /** A parsed message from Parley; anything unexpected is ignored. */
  handle(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as Record<string, unknown>;
    switch (m.event) {
      case 'start':
        this.start(m);
        break;
      case 'media':
        this.media(m.media);
        break;
      case 'mark': {
        const name = (m.mark as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return;
        this.played.push(name);
        if (name === 'greeting') this.greeting = false;
        break;
      }
      case 'stop':
        this.stopped = true;
        this.line.length = 0;
        break;
      default:
        break; // connected, dtmf: nothing to do
    }
  }

  private start(m: Record<string, unknown>): void {
    const start = (m.start ?? {}) as {
      streamSid?: unknown;
      customParameters?: unknown;
      mediaFormat?: { encoding?: unknown };
    };
    const sid = typeof start.streamSid === 'string' ? start.streamSid : m.streamSid;
    if (typeof sid !== 'string') return;
    this.streamSid = sid;
    this.format = start.mediaFormat?.encoding === 'audio/x-l16le' ? 'l16-16k' : 'mulaw-8k';
    if (typeof start.customParameters === 'object' && start.customParameters !== null) {
      this.customParameters = start.customParameters as Record<string, string>;
    }
    const audio = this.inFormat(this.options.greeting);
    const frame = this.format === 'mulaw-8k' ? 160 : 640;
    if (audio.length === 0) return;
    this.greeting = true;
    for (let i = 0; i < audio.length; i += frame) {
      this.sendMedia(audio.subarray(i, i + frame));
    }
    this.send({ event: 'mark', streamSid: sid, mark: { name: 'greeting' } });
  }

  private media(media: unknown): void {
    if (this.stopped || this.streamSid === null) return;
    const { payload, track } = (media ?? {}) as { payload?: unknown; track?: unknown };
    if (typeof payload !== 'string') return;
    // Listen-only streams with both tracks: only what the caller says is echoed.
    if (track !== undefined && track !== 'inbound') return;
    const frame = Buffer.from(payload, 'base64');
    this.options.onAudio?.('heard', frame);
    if (this.greeting && this.loudness(frame) >= this.bargeInRms) {
      this.greeting = false;
      this.send({ event: 'clear', streamSid: this.streamSid });
    }
    this.line.push(frame);
    if (this.line.length <= this.delayFrames) return;
    const oldest = this.line.shift()!;
    if (this.greeting) return; // heard while the greeting plays: not said back
    if (this.loudness(oldest) < this.silenceRms) return;
    this.sendMedia(oldest);
    this.options.onAudio?.('said', oldest);
    this.echoedFrames++;
    if (this.echoedFrames % MARK_EVERY_FRAMES === 0) {
      this.send({
        event: 'mark',
        streamSid: this.streamSid,
        mark: { name: `echo-${this.echoedFrames / MARK_EVERY_FRAMES}` },
      });
    }
  }

  private sendMedia(audio: Buffer): void {
    if (this.streamSid === null) return;
    this.send({
      event: 'media',
      streamSid: this.streamSid,
      media: { payload: audio.toString('base64') },
    });
  }

  private loudness(frame: Buffer): number {
    if (this.format === 'mulaw-8k') return mulawRms(frame);
    let sum = 0;
    const n = Math.floor(frame.length / 2);
    for (let i = 0; i < n; i++) sum += frame.readInt16LE(i * 2) ** 2;
    return n === 0 ? 0 : Math.sqrt(sum / n);
  }

  /** The greeting in the stream's format (16 kHz little-endian PCM for the wideband opt-in). */
  private inFormat(mulaw: Buffer): Buffer {
    if (this.format === 'mulaw-8k') return mulaw;
    const wide = resample(decodeMulaw(mulaw), 8000, 16000);
    const out = Buffer.alloc(wide.length * 2);
    for (let i = 0; i < wide.length; i++) out.writeInt16LE(wide[i]!, i * 2);
    return out;
  }
}
