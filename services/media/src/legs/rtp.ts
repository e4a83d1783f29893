/** The RTP header fields the media path reads and rewrites (RFC 3550). */
export interface RtpView {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** The payload (a view into the packet, padding removed). */
  payload: Buffer;
}

/** Reads an RTP packet; undefined when it is not one (too short, version not 2). */
export function readRtp(packet: Buffer): RtpView | undefined {
  if (packet.length < 12) return undefined;
  const b0 = packet[0] as number;
  if (b0 >> 6 !== 2) return undefined;
  const b1 = packet[1] as number;
  let offset = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (b0 & 0x20) end -= packet[packet.length - 1] as number;
  if (offset > end) return undefined;
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}

/** A plain RTP packet: 12-byte header (no CSRCs, no extensions) and the payload. */
export function writeRtp(p: RtpView): Buffer {
  const out = Buffer.allocUnsafe(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(out, 12);
  return out;
}

/** a - b for 16-bit sequence numbers, in -32768..32767 (serial number arithmetic). */
export function seqDiff(a: number, b: number): number {
  return ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** a - b for 32-bit timestamps, as a signed 32-bit difference. */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}
