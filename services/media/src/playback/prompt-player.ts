import { ParleyError, type PromptSource } from '@parley/contracts';
import {
  dtmfEventPackets,
  dtmfSchedule,
  OpusEncoder,
  loopPrompt,
  type AudioEngines,
} from '../audio';
import { type FrameSource, type Leg, type OutFrame } from '../legs/leg';
import { FRAME_TICKS, type LegOutput } from '../legs/leg-output';

/** Frames decoded ahead of playout: hides TTS and fetch hiccups without holding much. */
const PREFETCH_FRAMES = 25;
const FRAME_MS = 20;
/** Source name on the leg output: one for all prompts, so back-to-back ones are seamless. */
const SOURCE = 'prompt';

export interface PlayFinished {
  playId: string;
  reason: 'completed' | 'stopped' | 'failed';
  errorCode: number | null;
  playedMs: number;
}

interface AudioItem {
  kind: 'audio';
  playId: string;
  /** Internal prompts (a recording's beep) report here instead of `play.finished`. */
  onDone?: (reason: PlayFinished['reason']) => void;
  abort: AbortController;
  buffer: Int16Array[];
  done: boolean;
  error: unknown;
  sentFrames: number;
  wake: (() => void) | null;
}

interface DigitsItem {
  kind: 'digits';
  playId: string;
  abort: AbortController;
  /** RFC 4733 payloads by frame index from the start; frames in between are silence. */
  plan: Map<number, { payload: Buffer; marker: boolean; eventFrame: number }>;
  frames: number;
  startTick: number | null;
  sentFrames: number;
}

/** Audio fed while it plays (a Media Stream's server), with marks between frames. */
interface LiveItem {
  kind: 'live';
  playId: string;
  abort: AbortController;
  /** 20 ms frames and, between them, mark names to report once the audio before is out. */
  entries: Array<Int16Array | { mark: string }>;
  closed: boolean;
  sentFrames: number;
  onMark: (name: string) => void;
  onDone: () => void;
}

type Item = AudioItem | DigitsItem | LiveItem;

/** The writing end of a live item (see `PromptPlayer.openLive`). */
export interface LiveFeed {
  /** Queues one 20 ms frame (48 kHz mono). */
  push(frame: Int16Array): void;
  /** Reports `name` once every frame queued before it has been played. */
  mark(name: string): void;
  /** Drops the queued audio at once (barge-in); the marks it held are reported now. */
  clear(): void;
  /** Frames queued so far and not played yet. */
  readonly queuedFrames: number;
  /** Stops it: queued audio is dropped, the leg goes back to what it heard before. */
  close(): void;
}

/** What a player needs of its leg. */
export type PlayerLeg = Pick<Leg, 'callSid' | 'state' | 'codecs'> & {
  readonly output: Pick<LegOutput, 'interrupt'>;
};

function errorCodeOf(error: unknown): number | null {
  return error instanceof ParleyError ? error.code : null;
}

/**
 * What a leg is told, prompt after prompt: a FIFO of prompts (speech, files, ringback,
 * silence, digits), rendered ahead in the background and played out one 20 ms frame per
 * media-clock tick, so a 2 s prompt takes 2 s. Prompts wait for the leg to be connected
 * (ICE and DTLS done), so their first syllable is never lost. Audio is Opus-encoded here;
 * digits go out as RFC 4733 events on the leg's telephone-event payload type.
 */
export class PromptPlayer implements FrameSource {
  private readonly queue: Item[] = [];
  private encoder: OpusEncoder | null = null;
  private seq = 0;

  constructor(
    private readonly leg: PlayerLeg,
    private readonly engines: AudioEngines,
    private readonly silencePayload: Buffer,
    private readonly onFinished: (finished: PlayFinished) => void,
  ) {}

  /** True while prompts are queued: the bridged peer is not heard over them. */
  get active(): boolean {
    return this.queue.length > 0;
  }

  enqueue(playId: string, source: PromptSource, loop: number): void {
    if (this.queue.some((i) => i.playId === playId)) {
      throw new ParleyError(21220, `prompt ${playId} is already playing on ${this.leg.callSid}`);
    }
    if (source.kind === 'digits') {
      this.queue.push(this.planDigits(playId, source.digits));
      return;
    }
    const item: AudioItem = {
      kind: 'audio',
      playId,
      abort: new AbortController(),
      buffer: [],
      done: false,
      error: null,
      sentFrames: 0,
      wake: null,
    };
    this.queue.push(item);
    void this.render(item, source, loop);
  }

  /**
   * Plays frames Parley produced itself (a recording's beep); `onDone` instead of a
   * `play.finished` event. Stopped by barge-in like any prompt.
   */
  enqueueFrames(
    playId: string,
    frames: Int16Array[],
    onDone: (reason: PlayFinished['reason']) => void,
  ): void {
    this.queue.push({
      kind: 'audio',
      playId,
      onDone,
      abort: new AbortController(),
      buffer: [...frames],
      done: true,
      error: null,
      sentFrames: 0,
      wake: null,
    });
  }

  /**
   * Audio written while it plays (a bidirectional Media Stream): it holds the head of the
   * queue until closed, the leg hearing silence whenever nothing is queued.
   */
  openLive(playId: string, onMark: (name: string) => void, onDone: () => void): LiveFeed {
    const item: LiveItem = {
      kind: 'live',
      playId,
      abort: new AbortController(),
      entries: [],
      closed: false,
      sentFrames: 0,
      onMark,
      onDone,
    };
    this.queue.push(item);
    return {
      push: (frame) => {
        if (!item.closed) item.entries.push(frame);
      },
      mark: (name) => {
        if (item.closed) return;
        // Nothing left to play: the audio before it has been heard already.
        if (item.entries.length === 0 && this.queue[0] === item) onMark(name);
        else item.entries.push({ mark: name });
      },
      clear: () => {
        const marks = item.entries.filter((e): e is { mark: string } => !(e instanceof Int16Array));
        item.entries.length = 0;
        this.leg.output.interrupt();
        for (const m of marks) onMark(m.mark);
      },
      get queuedFrames() {
        return item.entries.reduce((n, e) => n + (e instanceof Int16Array ? 1 : 0), 0);
      },
      close: () => {
        if (item.closed) return;
        item.closed = true;
        item.entries.length = 0;
        const index = this.queue.indexOf(item);
        if (index >= 0) {
          this.queue.splice(index, 1);
          if (index === 0) this.leg.output.interrupt();
        }
        item.onDone();
      },
    };
  }

  /** Stops one prompt, or all of them (barge-in); returns how many were stopped. */
  stop(playId?: string): number {
    const stopped = this.queue.filter((i) => playId === undefined || i.playId === playId);
    for (const item of stopped) {
      this.queue.splice(this.queue.indexOf(item), 1);
      this.end(item, 'stopped', null);
    }
    if (stopped.length > 0) this.leg.output.interrupt();
    return stopped.length;
  }

  /** The leg is going away: everything stops, the encoder is freed. */
  dispose(): void {
    this.stop();
    this.encoder?.delete();
    this.encoder = null;
  }

  nextFrame(tick: number): OutFrame | null {
    if (this.leg.state !== 'connected') return null;
    for (;;) {
      const item = this.queue[0];
      if (!item) return null;
      if (item.kind === 'live') return this.liveFrame(item, tick);
      const frame =
        item.kind === 'audio' ? this.audioFrame(item, tick) : this.digitsFrame(item, tick);
      if (frame) return frame;
      const finished =
        item.kind === 'audio'
          ? item.done && item.buffer.length === 0
          : item.sentFrames >= item.frames;
      if (!finished) return null; // still rendering: the leg falls back to silence
      this.queue.shift();
      const error = item.kind === 'audio' ? item.error : null;
      this.end(item, error ? 'failed' : 'completed', errorCodeOf(error));
    }
  }

  private audioFrame(item: AudioItem, tick: number): OutFrame | null {
    const pcm = item.buffer.shift();
    if (!pcm) return null;
    item.wake?.();
    this.encoder ??= new OpusEncoder();
    const payload = this.encoder.encode(pcm);
    item.sentFrames++;
    return this.packet(this.leg.codecs.opusPayloadType, payload, tick, item.sentFrames === 1);
  }

  private liveFrame(item: LiveItem, tick: number): OutFrame | null {
    for (;;) {
      const entry = item.entries.shift();
      if (entry === undefined) return null; // nothing yet: the leg fills silence
      if (!(entry instanceof Int16Array)) {
        item.onMark(entry.mark);
        continue;
      }
      this.encoder ??= new OpusEncoder();
      item.sentFrames++;
      const payload = this.encoder.encode(entry);
      return this.packet(this.leg.codecs.opusPayloadType, payload, tick, item.sentFrames === 1);
    }
  }

  private digitsFrame(item: DigitsItem, tick: number): OutFrame | null {
    const te = this.leg.codecs.telephoneEvent;
    if (!te) return null;
    if (item.startTick === null) item.startTick = tick;
    const index = tick - item.startTick;
    if (index >= item.frames) return null;
    item.sentFrames = index + 1;
    const event = item.plan.get(index);
    if (!event)
      return this.packet(this.leg.codecs.opusPayloadType, this.silencePayload, tick, false);
    // Every packet of one key press carries the RTP timestamp of the press's start.
    const frame = this.packet(
      te.payloadType,
      event.payload,
      item.startTick + event.eventFrame,
      event.marker,
    );
    return frame;
  }

  private packet(payloadType: number, payload: Buffer, tick: number, marker: boolean): OutFrame {
    return {
      source: SOURCE,
      packet: {
        marker,
        payloadType,
        sequenceNumber: this.seq++ & 0xffff,
        timestamp: (tick * FRAME_TICKS) >>> 0,
        ssrc: 0,
        payload,
      },
    };
  }

  private planDigits(playId: string, digits: string): DigitsItem {
    if (!this.leg.codecs.telephoneEvent) {
      throw new ParleyError(
        21220,
        `the leg of ${this.leg.callSid} negotiated no telephone-event: digits cannot be sent`,
      );
    }
    const schedule = dtmfSchedule(digits);
    const plan: DigitsItem['plan'] = new Map();
    let last = 0;
    for (const d of schedule.digits) {
      const eventFrame = Math.round(d.atMs / FRAME_MS);
      for (const p of dtmfEventPackets(d.digit, { durationMs: d.durationMs })) {
        const index = eventFrame + Math.round(p.sendAtMs / FRAME_MS);
        plan.set(index, { payload: p.payload, marker: p.marker, eventFrame });
        last = Math.max(last, index);
      }
    }
    return {
      kind: 'digits',
      playId,
      abort: new AbortController(),
      plan,
      frames: Math.max(last + 1, Math.ceil(schedule.totalMs / FRAME_MS)),
      startTick: null,
      sentFrames: 0,
    };
  }

  private async render(item: AudioItem, source: PromptSource, loop: number): Promise<void> {
    const signal = item.abort.signal;
    try {
      for await (const frame of loopPrompt(source, loop, { engines: this.engines, signal })) {
        item.buffer.push(frame);
        while (item.buffer.length >= PREFETCH_FRAMES && !signal.aborted) {
          await new Promise<void>((resolve) => (item.wake = resolve));
          item.wake = null;
        }
        if (signal.aborted) break;
      }
    } catch (error) {
      item.error = error ?? new Error('prompt failed');
    } finally {
      item.done = true;
    }
  }

  private end(item: Item, reason: PlayFinished['reason'], errorCode: number | null): void {
    item.abort.abort();
    if (item.kind === 'live') {
      // Stopped with the other prompts (barge-in, the leg closing): its owner hears of it.
      if (!item.closed) {
        item.closed = true;
        item.entries.length = 0;
        item.onDone();
      }
      return;
    }
    if (item.kind === 'audio') {
      item.buffer.length = 0;
      item.wake?.();
      if (item.onDone) {
        item.onDone(reason);
        return;
      }
    }
    this.onFinished({
      playId: item.playId,
      reason,
      errorCode,
      playedMs: item.sentFrames * FRAME_MS,
    });
  }
}
