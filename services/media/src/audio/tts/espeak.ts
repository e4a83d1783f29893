import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { type Readable, type Writable } from 'node:stream';
import { SAMPLE_RATE } from '../pcm';
import { Resampler } from '../resample';
import { type WavInfo, WavFormatError, tryParseWavHeader, wavDataToMono } from '../wav';
import { sayText } from './text';
import { DEFAULT_ESPEAK_VOICE, type EspeakVoice, mapVoice } from './voices';

/**
 * Text to speech with espeak-ng, streamed: audio comes out while espeak-ng is still
 * synthesising. The text goes to espeak-ng's stdin (never its command line), WAV comes
 * back on stdout (22050 Hz for the standard voices) and is resampled to 48 kHz.
 *
 * espeak-ng's output is read as fast as it is produced, independently of how fast the
 * caller consumes it, so each process ends in a fraction of the prompt's duration and the
 * concurrency limit (one per core by default) bounds CPU, not playback time.
 */

export class TtsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TtsError';
  }
}

export interface SayRequest {
  text: string;
  voice?: string;
  language?: string;
}

export interface EspeakTtsOptions {
  /** Executable (default `espeak-ng`, found on PATH). */
  command?: string;
  /** Speaking rate in words per minute (espeak-ng's default is 175; 160 is calmer). */
  rateWpm?: number;
  /** espeak-ng processes at once; more requests wait (default: one per core). */
  maxConcurrent?: number;
  /** Longest a synthesis may take (default 30 s). */
  timeoutMs?: number;
}

type EspeakProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export class EspeakTts {
  readonly command: string;
  readonly rateWpm: number;
  private readonly timeoutMs: number;
  private readonly semaphore: Semaphore;

  constructor(options: EspeakTtsOptions = {}) {
    this.command = options.command ?? 'espeak-ng';
    this.rateWpm = options.rateWpm ?? 160;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.semaphore = new Semaphore(options.maxConcurrent ?? availableParallelism());
  }

  /** The espeak-ng voice a request maps to, and the text actually spoken. */
  prepare(request: SayRequest): { voice: EspeakVoice; text: string } {
    return { voice: mapVoice(request.voice, request.language), text: sayText(request.text) };
  }

  /**
   * Speech as 48 kHz mono chunks (of varying length). Ends early, quietly, when `signal`
   * aborts. A voice espeak-ng rejects is retried once with the default voice.
   */
  async *synthesize(
    request: SayRequest,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Int16Array, void, undefined> {
    const { voice, text } = this.prepare(request);
    if (!text) return;
    const voices =
      voice.voice === DEFAULT_ESPEAK_VOICE ? [voice.voice] : [voice.voice, DEFAULT_ESPEAK_VOICE];
    for (const [attempt, candidate] of voices.entries()) {
      const run = await this.start(text, candidate, options.signal);
      if (!run) return; // aborted while waiting for a slot
      let produced = false;
      try {
        for await (const chunk of run.chunks()) {
          produced = true;
          yield chunk;
        }
        return;
      } catch (error) {
        const retry = !produced && attempt + 1 < voices.length && error instanceof TtsError;
        if (!retry) throw error;
      } finally {
        run.stop();
      }
    }
  }

  private async start(
    text: string,
    voice: string,
    signal?: AbortSignal,
  ): Promise<EspeakRun | null> {
    const release = await this.semaphore.acquire(signal);
    if (!release) return null;
    try {
      const child = spawn(
        this.command,
        ['--stdout', '-b', '1', '-v', voice, '-s', String(this.rateWpm), '--stdin'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      return new EspeakRun(child, text, this.timeoutMs, release, signal);
    } catch (error) {
      release();
      throw new TtsError(`cannot start ${this.command}`, { cause: error });
    }
  }
}

/** One espeak-ng process: collects its output eagerly, hands out resampled chunks. */
class EspeakRun {
  private readonly queue: Int16Array[] = [];
  private done = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private header: Uint8Array = new Uint8Array(0);
  private info: WavInfo | null = null;
  private carry: Uint8Array | null = null;
  private resampler: Resampler | null = null;
  private stderr = '';
  private released = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.stop();

  constructor(
    private readonly child: EspeakProcess,
    text: string,
    timeoutMs: number,
    private readonly release: () => void,
    private readonly signal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.fail(new TtsError(`espeak-ng took longer than ${timeoutMs} ms`));
      child.kill('SIGKILL');
    }, timeoutMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 2000) this.stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => this.fail(new TtsError('espeak-ng failed', { cause: error })));
    child.on('close', (code, sig) => this.onClose(code, sig));
    child.stdin.on('error', () => {
      // EPIPE when espeak-ng exits early (bad voice): reported through its exit code.
    });
    child.stdin.end(text, 'utf8');
  }

  async *chunks(): AsyncGenerator<Int16Array, void, undefined> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done || this.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  stop(): void {
    if (!this.done) {
      this.done = true;
      this.child.kill('SIGKILL');
    }
    this.finishProcess();
    this.notify();
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    try {
      let data: Uint8Array = chunk;
      if (!this.info) {
        const joined = new Uint8Array(this.header.length + chunk.length);
        joined.set(this.header);
        joined.set(chunk, this.header.length);
        const info = tryParseWavHeader(joined);
        if (!info) {
          this.header = joined;
          return;
        }
        this.info = info;
        this.resampler = new Resampler(info.sampleRate, SAMPLE_RATE);
        data = joined.subarray(info.dataOffset);
      }
      this.pushPcm(data);
    } catch (error) {
      const message = error instanceof WavFormatError ? error.message : String(error);
      this.fail(new TtsError(`unexpected espeak-ng output: ${message}`, { cause: error }));
      this.child.kill('SIGKILL');
    }
  }

  private pushPcm(data: Uint8Array): void {
    const info = this.info as WavInfo;
    let bytes = data;
    if (this.carry) {
      const joined = new Uint8Array(this.carry.length + data.length);
      joined.set(this.carry);
      joined.set(data, this.carry.length);
      bytes = joined;
      this.carry = null;
    }
    const whole = bytes.length - (bytes.length % info.blockAlign);
    if (whole < bytes.length) this.carry = bytes.slice(whole);
    if (whole === 0) return;
    const mono = wavDataToMono(info, bytes.subarray(0, whole));
    const out = (this.resampler as Resampler).process(mono);
    if (out.length > 0) this.queue.push(out);
    this.notify();
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.timer);
    if (!this.done && !this.error) {
      if (code !== 0 || !this.info) {
        const detail = this.stderr.trim().split('\n')[0] ?? '';
        this.fail(
          new TtsError(`espeak-ng exited with ${code ?? signal}${detail ? `: ${detail}` : ''}`),
        );
      } else if (this.resampler) {
        const tail = this.resampler.flush();
        if (tail.length > 0) this.queue.push(tail);
      }
    }
    this.done = true;
    this.finishProcess();
    this.notify();
  }

  private fail(error: Error): void {
    if (!this.error) this.error = error;
    this.notify();
  }

  private finishProcess(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.release();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** A counting semaphore whose waiters can give up (abort). */
class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(size: number) {
    this.available = Math.max(1, size);
  }

  /** Resolves with a release function, or null if `signal` aborted first. */
  acquire(signal?: AbortSignal): Promise<(() => void) | null> {
    if (signal?.aborted) return Promise.resolve(null);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(null);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }
}
