import createOpusModule from 'opusscript/build/opusscript_native_wasm.js';

/**
 * Opus encoding and decoding at 48 kHz mono over libopus compiled to wasm (the build that
 * ships inside the `opusscript` package; no native addon, nothing downloaded).
 *
 * Parley calls the wasm module directly rather than through opusscript's JavaScript
 * wrapper: that wrapper caches typed-array views of the wasm heap per instance, and the
 * views are detached when the heap grows (it grows as calls are created), after which every
 * older encoder throws "detached ArrayBuffer". Here the heap is read through the module's
 * current views on every call, and all instances share one set of scratch buffers (calls
 * run one at a time on the event loop).
 *
 * No public type mentions the wasm module's types (they are declared ambiently in
 * opusscript-native.d.ts, which is not part of dist), so consumers type-check against
 * dist without it.
 */

/** The only sample rate these codecs run at (Opus's native rate). */
export const OPUS_SAMPLE_RATE = 48_000;
/** Samples in one 20 ms frame at 48 kHz (the packet duration WhatsApp uses). */
export const OPUS_FRAME_SAMPLES = 960;

type OpusNativeModule = ReturnType<typeof createOpusModule>;
type OpusHandler = InstanceType<OpusNativeModule['OpusScriptHandler']>;

const APPLICATION = { voip: 2048, audio: 2049 } as const;
const BANDWIDTH = {
  narrowband: 1101,
  mediumband: 1102,
  wideband: 1103,
  superwideband: 1104,
  fullband: 1105,
} as const;
const CTL = {
  setBitrate: 4002,
  setMaxBandwidth: 4004,
  setVbr: 4006,
  setComplexity: 4010,
  setInbandFec: 4012,
  setPacketLossPerc: 4014,
  setDtx: 4016,
  setSignal: 4024,
} as const;
const SIGNAL_VOICE = 3001;

/** Frame sizes libopus accepts at 48 kHz: 2.5, 5, 10, 20, 40 and 60 ms. */
const VALID_FRAME_SIZES = new Set([120, 240, 480, 960, 1920, 2880]);
const MAX_FRAME_SIZE = 5760; // 120 ms: the longest packet a decoder can return
const MAX_PACKET_BYTES = 4000;

interface Native {
  module: OpusNativeModule;
  /** PCM scratch: one byte per 16-bit slot, MAX_FRAME_SIZE samples. */
  pcmPointer: number;
  packetPointer: number;
}

let native: Native | null = null;
/** Shared by all decoders: calls run one at a time on the event loop. */
const decodeScratch = new Int16Array(MAX_FRAME_SIZE);

function loadNative(): Native {
  if (!native) {
    const module = createOpusModule();
    native = {
      module,
      pcmPointer: module._malloc(MAX_FRAME_SIZE * 2 * 2),
      packetPointer: module._malloc(MAX_PACKET_BYTES),
    };
  }
  return native;
}

/** Size of the shared wasm heap in bytes (for memory metrics; it only ever grows). */
export function opusHeapBytes(): number {
  return loadNative().module.HEAPU8.length;
}

export class OpusError extends Error {
  constructor(
    message: string,
    readonly opusCode: number,
  ) {
    super(`${message} (opus error ${opusCode})`);
    this.name = 'OpusError';
  }
}

export interface OpusEncoderOptions {
  /**
   * Target bitrate in bit/s. WhatsApp's offer says `maxaveragebitrate=20000`, hence the
   * default; 6000-510000 accepted.
   */
  bitrate?: number;
  /** 0-10; 5 keeps voice quality high at roughly half the CPU of 10. */
  complexity?: number;
  /** In-band forward error correction (WhatsApp offers `useinbandfec=1`). */
  fec?: boolean;
  /** Expected loss, which makes the encoder spend bits on FEC. */
  packetLossPercent?: number;
  /**
   * Highest audio bandwidth coded. WhatsApp plays back at most 16 kHz
   * (`maxplaybackrate=16000`), so wideband (8 kHz audio) is the useful maximum.
   */
  maxBandwidth?: keyof typeof BANDWIDTH;
  application?: keyof typeof APPLICATION;
}

/**
 * One libopus handler and its lifetime. Encoders and decoders hold it in a private field
 * rather than inheriting from it, so their declarations never expose the wasm types.
 */
class NativeCodec {
  readonly native: Native;
  private handler: OpusHandler | null;

  constructor(
    application: number,
    private readonly owner: string,
  ) {
    this.native = loadNative();
    this.handler = new this.native.module.OpusScriptHandler(OPUS_SAMPLE_RATE, 1, application);
  }

  get deleted(): boolean {
    return this.handler === null;
  }

  delete(): void {
    if (this.handler) {
      this.native.module.OpusScriptHandler.destroy_handler(this.handler);
      this.handler = null;
    }
  }

  live(): OpusHandler {
    if (!this.handler) throw new Error(`${this.owner} used after delete()`);
    return this.handler;
  }
}

/** Mono 48 kHz Opus encoder (VOIP application by default). */
export class OpusEncoder {
  private readonly codec: NativeCodec;

  constructor(options: OpusEncoderOptions = {}) {
    this.codec = new NativeCodec(APPLICATION[options.application ?? 'voip'], 'OpusEncoder');
    this.ctl(CTL.setSignal, SIGNAL_VOICE);
    this.ctl(CTL.setVbr, 1);
    this.ctl(CTL.setComplexity, options.complexity ?? 5);
    this.ctl(CTL.setInbandFec, options.fec === false ? 0 : 1);
    this.ctl(CTL.setPacketLossPerc, options.packetLossPercent ?? 5);
    this.ctl(CTL.setDtx, 0);
    this.ctl(CTL.setMaxBandwidth, BANDWIDTH[options.maxBandwidth ?? 'wideband']);
    this.setBitrate(options.bitrate ?? 20_000);
  }

  get deleted(): boolean {
    return this.codec.deleted;
  }

  /** Frees the wasm memory of this codec. Safe to call twice; the object is unusable after. */
  delete(): void {
    this.codec.delete();
  }

  setBitrate(bitsPerSecond: number): void {
    if (!Number.isInteger(bitsPerSecond) || bitsPerSecond < 6000 || bitsPerSecond > 510_000) {
      throw new RangeError(`Opus bitrate must be 6000-510000 bit/s, got ${bitsPerSecond}`);
    }
    this.ctl(CTL.setBitrate, bitsPerSecond);
  }

  /** One frame (normally 960 samples = 20 ms) to one Opus packet. */
  encode(frame: Int16Array): Buffer {
    const handler = this.codec.live();
    if (!VALID_FRAME_SIZES.has(frame.length)) {
      throw new RangeError(`Opus frames are 2.5-60 ms; got ${frame.length} samples at 48 kHz`);
    }
    const { module, pcmPointer, packetPointer } = this.codec.native;
    // opusscript's C side expects each PCM byte in its own 16-bit slot.
    const heap = module.HEAPU16;
    const base = pcmPointer >> 1;
    for (let i = 0; i < frame.length; i++) {
      const s = frame[i] as number;
      heap[base + 2 * i] = s & 0xff;
      heap[base + 2 * i + 1] = (s >> 8) & 0xff;
    }
    const bytes = handler._encode(pcmPointer, frame.length * 2, packetPointer, frame.length);
    if (bytes < 0) throw new OpusError('encode failed', bytes);
    return Buffer.from(module.HEAPU8.subarray(packetPointer, packetPointer + bytes));
  }

  private ctl(ctl: number, value: number): void {
    const result = this.codec.live()._encoder_ctl(ctl, value);
    if (result < 0) throw new OpusError(`encoder ctl ${ctl}=${value} failed`, result);
  }
}

/** Mono 48 kHz Opus decoder with packet-loss concealment. */
export class OpusDecoder {
  private readonly codec = new NativeCodec(APPLICATION.voip, 'OpusDecoder');
  /** TOC byte of the last good packet, so concealment keeps its mode and frame size. */
  private lastToc: number | null = null;

  get deleted(): boolean {
    return this.codec.deleted;
  }

  /** Frees the wasm memory of this codec. Safe to call twice; the object is unusable after. */
  delete(): void {
    this.codec.delete();
  }

  /**
   * One Opus packet to PCM (normally 960 samples). `null` or an empty payload means the
   * packet was lost: the decoder conceals it (see `conceal`).
   */
  decode(payload: Uint8Array | null): Int16Array {
    if (!payload || payload.length === 0) return this.conceal();
    if (payload.length > MAX_PACKET_BYTES) {
      throw new OpusError('packet too large', -1);
    }
    const out = this.decodeRaw(payload);
    this.lastToc = payload[0] as number;
    return out;
  }

  /**
   * Audio for one lost packet, synthesised by libopus's concealment from the decoder's
   * state (20 ms when the stream uses 20 ms packets, as WhatsApp does). Before any packet
   * was decoded, 20 ms of silence.
   */
  conceal(): Int16Array {
    this.codec.live();
    if (this.lastToc === null) return new Int16Array(OPUS_FRAME_SAMPLES);
    return this.decodeRaw(lossPacket(this.lastToc));
  }

  /**
   * Like `decode`, into a caller's buffer (no allocation): returns the samples written.
   * `out` must hold the packet's duration (960 samples for 20 ms; 5760 covers any packet).
   */
  decodeInto(payload: Uint8Array | null, out: Int16Array): number {
    if (!payload || payload.length === 0) {
      this.codec.live();
      if (this.lastToc === null) {
        const n = Math.min(OPUS_FRAME_SAMPLES, out.length);
        out.fill(0, 0, n);
        return n;
      }
      return this.decodeToHeap(lossPacket(this.lastToc), out);
    }
    if (payload.length > MAX_PACKET_BYTES) throw new OpusError('packet too large', -1);
    const n = this.decodeToHeap(payload, out);
    this.lastToc = payload[0] as number;
    return n;
  }

  private decodeRaw(packet: Uint8Array): Int16Array {
    const n = this.decodeToHeap(packet, decodeScratch);
    return decodeScratch.slice(0, n);
  }

  private decodeToHeap(packet: Uint8Array, out: Int16Array): number {
    const handler = this.codec.live();
    const { module, pcmPointer, packetPointer } = this.codec.native;
    module.HEAPU8.set(packet, packetPointer);
    const samples = handler._decode(packetPointer, packet.length, pcmPointer);
    if (samples < 0) throw new OpusError('decode failed', samples);
    if (samples > out.length) {
      throw new RangeError(`decoded ${samples} samples, the output holds ${out.length}`);
    }
    const heap = module.HEAPU16;
    const base = pcmPointer >> 1;
    for (let i = 0; i < samples; i++) {
      out[i] = (heap[base + 2 * i] as number) | ((heap[base + 2 * i + 1] as number) << 8);
    }
    return samples;
  }
}

/** Frame duration of a TOC byte's configuration, in 48 kHz samples (RFC 6716 3.1). */
function samplesPerFrame(toc: number): number {
  const config = toc >> 3;
  if (config < 12) return [480, 960, 1920, 2880][config & 3] as number; // SILK 10-60 ms
  if (config < 16) return [480, 960][config & 1] as number; // Hybrid 10/20 ms
  return [120, 240, 480, 960][config & 3] as number; // CELT 2.5-20 ms
}

/**
 * A packet whose frames are all empty: libopus treats an empty frame as lost and runs its
 * concealment for that frame's duration. Frames shorter than 20 ms are repeated (code 3)
 * so that one lost 20 ms packet is concealed by 20 ms of audio.
 */
function lossPacket(lastToc: number): Uint8Array {
  const frame = samplesPerFrame(lastToc);
  if (frame >= OPUS_FRAME_SAMPLES) return Uint8Array.of(lastToc & 0xfc);
  return Uint8Array.of((lastToc & 0xfc) | 3, OPUS_FRAME_SAMPLES / frame);
}
