import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { type RecordingStorage, type StoredObject } from '@parley/recording-storage';
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, fromDbfs, int16ToLeBytes, rms } from './pcm';
import { Resampler, type ResamplerQuality } from './resample';
import { wavHeader } from './wav';

/**
 * Records a leg (mono) or a bridged pair (dual) to a PCM16 WAV file.
 *
 * Input: decoded 20 ms frames at 48 kHz per channel (0 = parent/caller, 1 = child/callee),
 * each placed on a shared timeline by its time `atMs`, not by counting: a channel that
 * sends nothing for a while gets silence there, so the two channels stay aligned. Frames
 * are held for `jitterFrames` before they are committed, so a channel's frame arriving
 * slightly after the other channel's is still put in its place.
 *
 * Output: WAV at 16 kHz (default), 1 channel (mono: both channels mixed with saturation)
 * or 2 channels (dual), PCM16. WhatsApp audio is wideband (`maxplaybackrate=16000`), so
 * 16 kHz keeps all of it at a third of the size of 48 kHz; Twilio's 8 kHz would drop half
 * the band. The WAV is written to a temporary file as it goes: memory stays constant
 * however long the recording (a 4-hour dual recording is about 0.9 GB on disk).
 *
 * Stops: `push` returns 'max-length' or 'silence' once the recording should end; the
 * caller then calls `finish`. The beep (`playBeep`) is the caller's, before the first push.
 */

export type RecorderChannels = 'mono' | 'dual';
export type RecorderStop = 'max-length' | 'silence';

export interface RecorderOptions {
  channels: RecorderChannels;
  /** Sample rate of the stored WAV (default 16000). */
  sampleRate?: number;
  /** Stop after this much audio (default 3600 s). */
  maxLengthSec?: number;
  /** Stop after this much continuous silence; 0 disables (default 0). */
  silenceTimeoutSec?: number;
  /** Frames below this RMS level count as silence (default -45 dBFS). */
  silenceThresholdDbfs?: number;
  /** Drop leading and trailing silence (a little margin is kept around the speech). */
  trimSilence?: boolean;
  /** Kept around speech when trimming (default 100 ms). */
  trimMarginMs?: number;
  /** Frames held back for late arrivals before they are committed (default 3 = 60 ms). */
  jitterFrames?: number;
  /** Origin of the `atMs` timeline (default: the first frame's `atMs`). */
  startAtMs?: number;
  /** Directory of the temporary file (default: the OS temp dir). */
  tmpDir?: string;
  resamplerQuality?: ResamplerQuality;
}

export interface RecordingResult {
  /** Temporary WAV file; removed by `dispose` (and by `saveTo`). */
  path: string;
  sizeBytes: number;
  durationMs: number;
  /** Whole seconds, rounded (Twilio's RecordingDuration). */
  durationSec: number;
  channels: 1 | 2;
  sampleRate: number;
  /** Why it ended, as given to `finish`. */
  reason: string;
  /** The WAV as a stream (for storage). */
  stream(): Readable;
  /** The whole WAV in memory: for short recordings and tests only. */
  readAll(): Promise<Buffer>;
  /** Streams the WAV to storage, then removes the temporary file. */
  saveTo(storage: RecordingStorage, key: string): Promise<StoredObject>;
  dispose(): Promise<void>;
}

/** Bytes buffered before a write to the temporary file. */
const WRITE_CHUNK_SAMPLES = 32 * 1024;

export class Recorder {
  readonly channelCount: 1 | 2;
  readonly sampleRate: number;
  private readonly jitterFrames: number;
  private readonly ringSize: number;
  /** Per input channel: a ring of frames indexed by slot (slot = 20 ms of timeline). */
  private readonly ring: Int16Array[][];
  private readonly filled: Uint8Array[];
  private readonly lastSlot = [-1, -1];
  private origin: number | null;
  /** Next slot to commit: all earlier slots are written (or dropped as silence). */
  private committed = 0;
  private maxSlot = -1;
  private readonly mixScratch = new Int16Array(FRAME_SAMPLES);
  private readonly resamplers: Resampler[];
  private readonly outScratch: Int16Array[];
  private readonly silenceRms: number;
  private readonly maxSlots: number;
  private readonly silenceSlots: number;
  private silentRun = 0;
  private stop: RecorderStop | null = null;
  private finished = false;
  // Output bookkeeping, in output sample frames (one sample per channel).
  private chunk: Int16Array;
  private chunkFill = 0;
  private writtenFrames = 0;
  private voicedEndFrames = 0;
  private voiced = false;
  private readonly preRoll: Int16Array[] = [];
  private readonly trimMarginFrames: number;
  private writeChain: Promise<void> = Promise.resolve();
  private writeError: unknown = null;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly options: RecorderOptions,
  ) {
    this.channelCount = options.channels === 'dual' ? 2 : 1;
    this.sampleRate = options.sampleRate ?? 16_000;
    this.jitterFrames = Math.max(0, options.jitterFrames ?? 3);
    this.ringSize = this.jitterFrames + 8;
    this.ring = [0, 1].map(() =>
      Array.from({ length: this.ringSize }, () => new Int16Array(FRAME_SAMPLES)),
    );
    this.filled = [new Uint8Array(this.ringSize), new Uint8Array(this.ringSize)];
    this.origin = options.startAtMs ?? null;
    const quality = options.resamplerQuality ?? 'fast';
    this.resamplers = Array.from(
      { length: this.channelCount },
      () => new Resampler(SAMPLE_RATE, this.sampleRate, quality),
    );
    this.outScratch = this.resamplers.map((r) => new Int16Array(r.maxOutput(FRAME_SAMPLES) + 8));
    this.silenceRms = fromDbfs(options.silenceThresholdDbfs ?? -45);
    this.maxSlots = Math.round(((options.maxLengthSec ?? 3600) * 1000) / FRAME_MS);
    this.silenceSlots = Math.round(((options.silenceTimeoutSec ?? 0) * 1000) / FRAME_MS);
    this.trimMarginFrames = Math.round(((options.trimMarginMs ?? 100) * this.sampleRate) / 1000);
    this.chunk = new Int16Array(WRITE_CHUNK_SAMPLES * this.channelCount);
  }

  /** Opens the temporary file and returns a recorder ready for frames. */
  static async create(options: RecorderOptions): Promise<Recorder> {
    const sampleRate = options.sampleRate ?? 16_000;
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > SAMPLE_RATE) {
      throw new RangeError(`recording sample rate must be 8000-48000, got ${sampleRate}`);
    }
    const dir = options.tmpDir ?? join(tmpdir(), 'parley-recordings');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `rec-${randomUUID()}.wav`);
    const file = await open(path, 'w+', 0o600);
    // Header placeholder; the sizes are filled in by finish().
    await file.write(
      wavHeader({ sampleRate, channels: options.channels === 'dual' ? 2 : 1, dataBytes: 0 }),
    );
    return new Recorder(file, path, options);
  }

  /** Why the recording should stop, once it should. */
  get stopReason(): RecorderStop | null {
    return this.stop;
  }

  /** Timeline committed so far, in ms (what maxLength and silence count against). */
  get elapsedMs(): number {
    return this.committed * FRAME_MS;
  }

  /**
   * Adds one 20 ms frame (960 samples at 48 kHz) of a channel at time `atMs` (any
   * monotonic ms clock, the same for both channels; best derived from RTP timestamps).
   * Without `atMs` the frame follows the channel's previous one. The frame is copied.
   * Returns why the recording should stop, or null.
   */
  push(channel: 0 | 1, frame: Int16Array, atMs?: number): RecorderStop | null {
    if (this.finished || this.stop) return this.stop;
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`recorder frames are ${FRAME_SAMPLES} samples, got ${frame.length}`);
    }
    const slot = this.slotFor(channel, atMs);
    if (slot === null) return null;
    if (slot >= this.committed + this.ringSize) {
      // Too far ahead of the other channel: commit what cannot wait any longer.
      this.commitUpTo(slot - this.ringSize + 1);
      if (this.stop) return this.stop;
    }
    const index = slot % this.ringSize;
    const filled = this.filled[channel] as Uint8Array;
    if (filled[index]) return null; // a duplicate of a frame already placed
    (this.ring[channel] as Int16Array[])[index]?.set(frame);
    filled[index] = 1;
    this.lastSlot[channel] = Math.max(this.lastSlot[channel] as number, slot);
    if (slot > this.maxSlot) this.maxSlot = slot;
    this.commitUpTo(this.maxSlot - this.jitterFrames + 1);
    return this.stop;
  }

  private slotFor(channel: 0 | 1, atMs: number | undefined): number | null {
    const last = this.lastSlot[channel] as number;
    if (atMs === undefined) return Math.max(last + 1, this.committed);
    if (this.origin === null) this.origin = atMs;
    const raw = Math.round((atMs - this.origin) / FRAME_MS);
    const expected = last + 1;
    // Within one frame of where the channel's next frame belongs: arrival jitter.
    let slot = last >= 0 && Math.abs(raw - expected) <= 1 ? expected : raw;
    if (slot < this.committed) return null; // too late: that time is already written
    if (slot < 0) slot = 0;
    return slot;
  }

  /** Commits every slot before `end`. */
  private commitUpTo(end: number): void {
    while (this.committed < end && !this.stop) this.commitSlot();
  }

  private commitSlot(): void {
    const index = this.committed % this.ringSize;
    const [filled0, filled1] = this.filled as [Uint8Array, Uint8Array];
    const [ring0, ring1] = this.ring as [Int16Array[], Int16Array[]];
    const a = filled0[index] ? (ring0[index] as Int16Array) : null;
    const b = filled1[index] ? (ring1[index] as Int16Array) : null;
    let level: number;
    if (this.channelCount === 1) {
      const mixed = this.mixScratch;
      if (a && b) {
        for (let i = 0; i < FRAME_SAMPLES; i++) {
          const v = (a[i] as number) + (b[i] as number);
          mixed[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
        }
      } else if (a || b) {
        mixed.set((a ?? b) as Int16Array);
      } else {
        mixed.fill(0);
      }
      level = rms(mixed);
      this.resample(0, mixed);
    } else {
      const silent = this.mixScratch;
      silent.fill(0);
      level = Math.max(a ? rms(a) : 0, b ? rms(b) : 0);
      this.resample(0, a ?? silent);
      this.resample(1, b ?? silent);
    }
    const voiced = level >= this.silenceRms;
    this.output(this.lastCount, voiced);
    filled0[index] = 0;
    filled1[index] = 0;
    this.committed++;

    this.silentRun = voiced ? 0 : this.silentRun + 1;
    if (this.silenceSlots > 0 && this.silentRun >= this.silenceSlots) this.stop = 'silence';
    else if (this.committed >= this.maxSlots) this.stop = 'max-length';
  }

  /** Both channels' resamplers see the same input lengths, so their counts agree. */
  private lastCount = 0;

  private resample(channel: number, samples: Int16Array): void {
    const resampler = this.resamplers[channel] as Resampler;
    this.lastCount = resampler.processInto(samples, this.outScratch[channel] as Int16Array, 0);
  }

  private output(count: number, voiced: boolean): void {
    if (count === 0) return;
    const trim = this.options.trimSilence === true;
    if (trim && !this.voiced && !voiced) {
      // Leading silence: keep only the last `trimMargin` of it, in case speech follows.
      this.preRoll.push(this.interleaved(count));
      let held = this.preRoll.reduce((n, p) => n + p.length / this.channelCount, 0);
      while (held - (this.preRoll[0]?.length ?? 0) / this.channelCount >= this.trimMarginFrames) {
        held -= (this.preRoll.shift() as Int16Array).length / this.channelCount;
      }
      return;
    }
    if (trim && !this.voiced) {
      for (const held of this.preRoll) this.write(held, held.length / this.channelCount);
      this.preRoll.length = 0;
    }
    if (voiced) this.voiced = true;
    this.writeScratch(count);
    if (voiced) this.voicedEndFrames = this.writtenFrames;
  }

  private interleaved(count: number): Int16Array {
    const out = new Int16Array(count * this.channelCount);
    this.fillInterleaved(out, 0, count);
    return out;
  }

  private fillInterleaved(target: Int16Array, offset: number, count: number): void {
    if (this.channelCount === 1) {
      target.set((this.outScratch[0] as Int16Array).subarray(0, count), offset);
      return;
    }
    const left = this.outScratch[0] as Int16Array;
    const right = this.outScratch[1] as Int16Array;
    for (let i = 0; i < count; i++) {
      target[offset + 2 * i] = left[i] as number;
      target[offset + 2 * i + 1] = right[i] as number;
    }
  }

  private writeScratch(count: number): void {
    if (this.chunkFill + count * this.channelCount > this.chunk.length) this.flushChunk();
    this.fillInterleaved(this.chunk, this.chunkFill, count);
    this.chunkFill += count * this.channelCount;
    this.writtenFrames += count;
  }

  private write(samples: Int16Array, frames: number): void {
    if (this.chunkFill + samples.length > this.chunk.length) this.flushChunk();
    this.chunk.set(samples, this.chunkFill);
    this.chunkFill += samples.length;
    this.writtenFrames += frames;
  }

  private flushChunk(): void {
    if (this.chunkFill === 0) return;
    const data = int16ToLeBytes(this.chunk.subarray(0, this.chunkFill));
    // The chunk array is handed to the write; the next samples go to a fresh one.
    this.chunk = new Int16Array(this.chunk.length);
    this.chunkFill = 0;
    this.writeChain = this.writeChain.then(async () => {
      if (this.writeError) return;
      try {
        await this.file.write(data);
      } catch (error) {
        this.writeError = error;
      }
    });
  }

  /**
   * Ends the recording: commits what is held back, trims trailing silence if asked,
   * completes the WAV header and closes the file.
   */
  async finish(reason: string = this.stop ?? 'stopped'): Promise<RecordingResult> {
    if (this.finished) throw new Error('Recorder.finish called twice');
    this.finished = true;
    // Frames held for late arrivals are part of the recording, unless it already ended.
    if (!this.stop) this.commitUpTo(this.maxSlot + 1);
    const tails = this.resamplers.map((r) => r.flush());
    const tailCount = Math.min(...tails.map((t) => t.length));
    if (tailCount > 0) {
      tails.forEach((tail, ch) =>
        (this.outScratch[ch] as Int16Array).set(tail.subarray(0, tailCount)),
      );
      this.output(tailCount, false);
    }
    this.flushChunk();
    await this.writeChain;
    if (this.writeError) {
      await this.discard();
      throw this.writeError instanceof Error
        ? this.writeError
        : new Error('recording write failed');
    }
    let dataFrames = this.writtenFrames;
    if (this.options.trimSilence) {
      dataFrames = this.voiced
        ? Math.min(dataFrames, this.voicedEndFrames + this.trimMarginFrames)
        : 0;
    }
    const dataBytes = dataFrames * this.channelCount * 2;
    try {
      await this.file.truncate(44 + dataBytes);
      await this.file.write(
        wavHeader({ sampleRate: this.sampleRate, channels: this.channelCount, dataBytes }),
        0,
        44,
        0,
      );
      await this.file.sync();
    } finally {
      await this.file.close();
    }
    const durationMs = Math.round((dataFrames * 1000) / this.sampleRate);
    return new FileRecording(
      this.path,
      44 + dataBytes,
      durationMs,
      this.channelCount,
      this.sampleRate,
      reason,
    );
  }

  /** Abandons the recording and deletes its temporary file. */
  async discard(): Promise<void> {
    this.finished = true;
    await this.writeChain;
    await this.file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

class FileRecording implements RecordingResult {
  readonly durationSec: number;

  constructor(
    readonly path: string,
    readonly sizeBytes: number,
    readonly durationMs: number,
    readonly channels: 1 | 2,
    readonly sampleRate: number,
    readonly reason: string,
  ) {
    this.durationSec = Math.round(durationMs / 1000);
  }

  stream(): Readable {
    return createReadStream(this.path);
  }

  readAll(): Promise<Buffer> {
    return readFile(this.path);
  }

  async saveTo(storage: RecordingStorage, key: string): Promise<StoredObject> {
    const stored = await storage.put(key, this.stream(), {
      contentType: 'audio/wav',
      sizeBytes: this.sizeBytes,
    });
    await this.dispose();
    return stored;
  }

  async dispose(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
