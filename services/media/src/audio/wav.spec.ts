import { ALAW_TABLE, MULAW_TABLE, linearToALaw, linearToMuLaw } from './g711';
import { dominantFrequency, generateTone, toneAmplitude } from './tones';
import {
  WavFormatError,
  decodeWav,
  encodeWav,
  parseWavHeader,
  readWavMono,
  tryParseWavHeader,
  wavHeader,
} from './wav';

/** A WAV file built byte by byte, to test formats Parley never writes itself. */
function rawWav(opts: {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  data: Buffer;
  extensible?: boolean;
  extraChunk?: Buffer;
}): Buffer {
  const blockAlign = (opts.channels * opts.bits) / 8;
  const fmt = Buffer.alloc(opts.extensible ? 40 : 16);
  fmt.writeUInt16LE(opts.extensible ? 0xfffe : opts.format, 0);
  fmt.writeUInt16LE(opts.channels, 2);
  fmt.writeUInt32LE(opts.rate, 4);
  fmt.writeUInt32LE(opts.rate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(opts.bits, 14);
  if (opts.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(opts.bits, 18);
    fmt.writeUInt32LE(opts.channels === 2 ? 3 : 4, 20);
    fmt.writeUInt16LE(opts.format, 24); // SubFormat GUID starts with the format code
  }
  const chunk = (id: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    ...(opts.extraChunk ? [chunk('LIST', opts.extraChunk)] : []),
    chunk('data', opts.data),
  ]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

const sine = (freq: number, rate: number, n: number, amp = 0.5): number[] =>
  Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));

describe('G.711', () => {
  it('mu-law and A-law round-trip within the quantisation step', () => {
    for (let v = -32000; v <= 32000; v += 97) {
      const step = Math.max(16, Math.abs(v) / 16);
      expect(Math.abs((MULAW_TABLE[linearToMuLaw(v)] as number) - v)).toBeLessThanOrEqual(step);
      expect(Math.abs((ALAW_TABLE[linearToALaw(v)] as number) - v)).toBeLessThanOrEqual(step);
    }
  });

  it('decodes the reference code points', () => {
    expect(MULAW_TABLE[0xff]).toBe(0);
    expect(MULAW_TABLE[0x00]).toBe(-32124);
    expect(MULAW_TABLE[0x80]).toBe(32124);
    expect(ALAW_TABLE[0xd5]).toBe(8);
    expect(ALAW_TABLE[0x55]).toBe(-8);
    expect(ALAW_TABLE[0xaa]).toBe(32256);
  });
});

describe('WAV', () => {
  it('writes and reads PCM16 mono and stereo', () => {
    const mono = generateTone(440, 200, { sampleRate: 16_000, fadeMs: 0 });
    const file = encodeWav(mono, 16_000, 1);
    expect(file.length).toBe(44 + mono.length * 2);
    const read = readWavMono(file);
    expect(read.sampleRate).toBe(16_000);
    expect(read.samples).toEqual(mono);

    const stereo = new Int16Array(200);
    for (let i = 0; i < 100; i++) {
      stereo[2 * i] = 1000;
      stereo[2 * i + 1] = 3000;
    }
    const info = parseWavHeader(encodeWav(stereo, 8000, 2));
    expect(info).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16, blockAlign: 4 });
    expect(readWavMono(encodeWav(stereo, 8000, 2)).samples[10]).toBe(2000); // the average
  });

  it.each([
    ['PCM 8-bit', 1, 8, (v: number) => Math.round(v * 127) + 128],
    ['mu-law', 7, 8, (v: number) => linearToMuLaw(v * 32767)],
    ['A-law', 6, 8, (v: number) => linearToALaw(v * 32767)],
  ])('reads %s at 8 kHz and converts it to 48 kHz', (_name, format, bits, encode) => {
    const data = Buffer.from(sine(440, 8000, 8000).map(encode));
    const pcm = decodeWav(rawWav({ format, channels: 1, rate: 8000, bits, data }));
    expect(pcm.length).toBe(48_000);
    expect(dominantFrequency(pcm)).toBeCloseTo(440, 0);
    expect(toneAmplitude(pcm.subarray(4800, 43_200), 440)).toBeGreaterThan(15_000);
  });

  it('reads 24-bit, 32-bit and float stereo, and WAVE_FORMAT_EXTENSIBLE', () => {
    const n = 4410;
    const values = sine(1000, 44_100, n);
    const s24 = Buffer.alloc(n * 6);
    const s32 = Buffer.alloc(n * 8);
    const f32 = Buffer.alloc(n * 8);
    values.forEach((v, i) => {
      const x24 = Math.round(v * 8_388_607);
      s24.writeIntLE(x24, i * 6, 3);
      s24.writeIntLE(x24, i * 6 + 3, 3);
      s32.writeInt32LE(Math.round(v * 2_147_483_647), i * 8);
      s32.writeInt32LE(Math.round(v * 2_147_483_647), i * 8 + 4);
      f32.writeFloatLE(v, i * 8);
      f32.writeFloatLE(v, i * 8 + 4);
    });
    const files = [
      rawWav({ format: 1, channels: 2, rate: 44_100, bits: 24, data: s24 }),
      rawWav({ format: 1, channels: 2, rate: 44_100, bits: 32, data: s32, extensible: true }),
      rawWav({
        format: 3,
        channels: 2,
        rate: 44_100,
        bits: 32,
        data: f32,
        extraChunk: Buffer.from('odd'),
      }),
    ];
    for (const file of files) {
      const { samples } = readWavMono(file);
      expect(samples.length).toBe(n);
      expect(toneAmplitude(samples, 1000, 44_100)).toBeGreaterThan(16_000);
      expect(dominantFrequency(samples, 44_100)).toBeCloseTo(1000, 0);
    }
  });

  it('reads a stream whose header announces more data than present (espeak-ng --stdout)', () => {
    const pcm = generateTone(300, 100, { sampleRate: 22_050 });
    const file = encodeWav(pcm, 22_050);
    file.writeUInt32LE(0x7ffff000, 40);
    expect(readWavMono(file).samples).toEqual(pcm);
  });

  it('asks for more bytes until the data chunk is reached', () => {
    const file = encodeWav(new Int16Array(10), 8000);
    expect(tryParseWavHeader(file.subarray(0, 20))).toBeNull();
    expect(tryParseWavHeader(file.subarray(0, 44))?.dataOffset).toBe(44);
  });

  it('refuses what it cannot play with WavFormatError', () => {
    expect(() => parseWavHeader(Buffer.from('<html>not audio</html>'))).toThrow(WavFormatError);
    const adpcm = rawWav({ format: 2, channels: 1, rate: 8000, bits: 4, data: Buffer.alloc(10) });
    expect(() => parseWavHeader(adpcm)).toThrow(/format code 0x2/);
    const header = wavHeader({ sampleRate: 8000, channels: 1, dataBytes: 0 });
    header.writeUInt16LE(0, 22); // zero channels
    expect(() => parseWavHeader(header)).toThrow(WavFormatError);
  });
});
