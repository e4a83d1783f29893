import { Readable } from 'node:stream';
import { measureStoredWav } from './stored-wav';

/** A PCM WAV header (44 bytes) followed by `dataBytes` of silence; `claimed` is the header's data size. */
function wav(opts: {
  channels: number;
  rate: number;
  dataBytes: number;
  claimed?: number;
}): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + (opts.claimed ?? opts.dataBytes), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(opts.channels, 22);
  header.writeUInt32LE(opts.rate, 24);
  header.writeUInt32LE(opts.rate * opts.channels * 2, 28);
  header.writeUInt16LE(opts.channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(opts.claimed ?? opts.dataBytes, 40);
  return Buffer.concat([header, Buffer.alloc(opts.dataBytes)]);
}

/** The file as a stream of small chunks, as storage hands it out. */
const chunked = (buf: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(buf.length / 1000) }, (_, i) =>
      buf.subarray(i * 1000, (i + 1) * 1000),
    ),
  );

describe('measureStoredWav', () => {
  it('measures channels and whole seconds from the bytes stored', async () => {
    expect(
      await measureStoredWav(chunked(wav({ channels: 2, rate: 8000, dataBytes: 3 * 32000 }))),
    ).toEqual({
      channels: 2,
      durationSec: 3,
    });
  });

  it('trusts the bytes, not a header a crashed recorder never rewrote', async () => {
    const file = wav({ channels: 1, rate: 8000, dataBytes: 5 * 16000, claimed: 0 });
    expect(await measureStoredWav(chunked(file))).toEqual({ channels: 1, durationSec: 5 });
  });

  it('refuses what is not a WAV', async () => {
    expect(
      await measureStoredWav(Readable.from([Buffer.from('not a wave file at all')])),
    ).toBeNull();
  });
});
