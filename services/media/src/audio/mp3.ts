import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * MP3 decoding with mpg123 compiled to wasm (`mpg123-decoder`), off the event loop.
 *
 * The decoder runs in one lazily started worker thread: decoding a long file takes tens of
 * milliseconds per minute of audio, which must not delay the 20 ms audio frames of the
 * calls on the main thread. (The package is ESM-only, which a worker can load natively.)
 * The worker downmixes to mono and stops as soon as the audio exceeds the allowed length,
 * so a hostile file cannot make it allocate without bound. It exits after a minute idle.
 */

export interface DecodedMp3 {
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
  sampleRate: number;
}

export class Mp3DecodeError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'too-long' | 'worker',
  ) {
    super(message);
    this.name = 'Mp3DecodeError';
  }
}

interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  maxSeconds: number;
}

type DecodeReply =
  | { id: number; ok: true; samples: Float32Array; sampleRate: number }
  | { id: number; ok: false; reason: 'invalid' | 'too-long'; message: string };

// Plain JavaScript: it runs in the worker, outside TypeScript and jest's module system.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let modulePromise = null;
const CHUNK = 16384;
parentPort.on('message', async ({ id, bytes, maxSeconds }) => {
  let decoder = null;
  try {
    modulePromise = modulePromise || import(workerData.moduleUrl);
    const { MPEGDecoder } = await modulePromise;
    decoder = new MPEGDecoder();
    await decoder.ready;
    const parts = [];
    let total = 0;
    let sampleRate = 0;
    for (let offset = 0; offset < bytes.length; offset += CHUNK) {
      const result = decoder.decode(bytes.subarray(offset, offset + CHUNK));
      const n = result.samplesDecoded;
      if (n === 0) continue;
      sampleRate = result.sampleRate;
      const channels = result.channelData;
      const mono = new Float32Array(n);
      for (const channel of channels) for (let i = 0; i < n; i++) mono[i] += channel[i];
      if (channels.length > 1) for (let i = 0; i < n; i++) mono[i] /= channels.length;
      parts.push(mono);
      total += n;
      if (total > maxSeconds * sampleRate) {
        parentPort.postMessage({ id, ok: false, reason: 'too-long', message: 'MP3 is longer than ' + maxSeconds + ' s' });
        return;
      }
    }
    if (total === 0 || sampleRate === 0) {
      parentPort.postMessage({ id, ok: false, reason: 'invalid', message: 'no MPEG audio frames found' });
      return;
    }
    const samples = new Float32Array(total);
    let at = 0;
    for (const part of parts) { samples.set(part, at); at += part.length; }
    parentPort.postMessage({ id, ok: true, samples, sampleRate }, [samples.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, ok: false, reason: 'invalid', message: String((error && error.message) || error) });
  } finally {
    if (decoder) decoder.free();
  }
});
`;

const IDLE_EXIT_MS = 60_000;

class Mp3Worker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: DecodedMp3) => void; reject: (error: Error) => void }
  >();
  private idleTimer: NodeJS.Timeout | null = null;

  decode(bytes: Uint8Array, maxSeconds: number): Promise<DecodedMp3> {
    const worker = this.start();
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const id = this.nextId++;
    // Keeps the process alive while a decode is pending, not while idle.
    worker.ref();
    return new Promise<DecodedMp3>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy: the caller keeps its buffer (it may be a cached HTTP body).
      const message: DecodeRequest = { id, bytes: Uint8Array.from(bytes), maxSeconds };
      worker.postMessage(message, [message.bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const moduleUrl = pathToFileURL(require.resolve('mpg123-decoder')).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { moduleUrl } });
    worker.unref();
    worker.on('message', (reply: DecodeReply) => this.onReply(reply));
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => {
      if (this.pending.size > 0) {
        this.fail(worker, new Error(`MP3 decoder worker exited with code ${code}`));
      } else if (this.worker === worker) {
        this.worker = null;
      }
    });
    this.worker = worker;
    return worker;
  }

  private onReply(reply: DecodeReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve({ samples: reply.samples, sampleRate: reply.sampleRate });
    else waiter.reject(new Mp3DecodeError(reply.message, reply.reason));
    if (this.pending.size === 0) {
      this.worker?.unref();
      this.idleTimer = setTimeout(() => void this.close(), IDLE_EXIT_MS);
      this.idleTimer.unref();
    }
  }

  private fail(worker: Worker, error: Error): void {
    if (this.worker === worker) this.worker = null;
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) {
      waiter.reject(new Mp3DecodeError(`MP3 decoder failed: ${error.message}`, 'worker'));
    }
  }
}

const shared = new Mp3Worker();

/** Decodes a whole MP3 file to mono float samples at the file's rate. */
export function decodeMp3(
  bytes: Uint8Array,
  options: { maxSeconds?: number } = {},
): Promise<DecodedMp3> {
  return shared.decode(bytes, options.maxSeconds ?? 3600);
}

/** Stops the decoder worker (tests, shutdown). A later decode starts a new one. */
export function closeMp3Decoder(): Promise<void> {
  return shared.close();
}

/** True when the bytes start like an MP3 file: an ID3v2 tag or an MPEG audio frame header. */
export function looksLikeMp3(bytes: Uint8Array): boolean {
  if (bytes.length >= 3 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    return true; // "ID3"
  }
  if (bytes.length < 4) return false;
  const b1 = bytes[1] as number;
  const b2 = bytes[2] as number;
  const syncOk = bytes[0] === 0xff && (b1 & 0xe0) === 0xe0;
  const versionOk = (b1 & 0x18) !== 0x08; // 01 is reserved
  const layerOk = (b1 & 0x06) !== 0x00; // 00 is reserved
  const bitrateOk = (b2 & 0xf0) !== 0xf0;
  const rateOk = (b2 & 0x0c) !== 0x0c;
  return syncOk && versionOk && layerOk && bitrateOk && rateOk;
}
