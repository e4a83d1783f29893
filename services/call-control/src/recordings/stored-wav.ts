import { type Readable } from 'node:stream';

/** What a stored WAV says about itself: enough to close a recording from its file. */
export interface StoredWavInfo {
  channels: number;
  durationSec: number;
}

/**
 * Reads a WAV (RIFF, PCM) to its end and measures it. The data length is what the file
 * holds after the `data` chunk header, not what the header claims: a recorder that died
 * before rewriting its header still yields the audio it wrote. Null when it is not a WAV.
 */
export async function measureStoredWav(stream: Readable): Promise<StoredWavInfo | null> {
  let head = Buffer.alloc(0);
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    // The format and the start of the data fit in the first few kilobytes.
    if (head.length < 4096) head = Buffer.concat([head, chunk]).subarray(0, 4096);
  }
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF') return null;
  if (head.toString('ascii', 8, 12) !== 'WAVE') return null;
  let offset = 12;
  let byteRate = 0;
  let channels = 0;
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 16 <= head.length) {
      channels = head.readUInt16LE(offset + 10);
      byteRate = head.readUInt32LE(offset + 16);
    }
    if (id === 'data') {
      if (!byteRate || !channels) return null;
      const dataBytes = Math.max(0, total - (offset + 8));
      return { channels, durationSec: Math.round(dataBytes / byteRate) };
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}
