/** The fields of a mediasoup RTP stream statistic (Producer/Consumer `getStats()`) used here. */
export interface MediasoupRtpStat {
  packetCount: number;
  packetsLost: number;
  /** RTCP's 8-bit fraction: lost / expected * 256 over the last report interval. */
  fractionLost: number;
  /** Interarrival jitter in RTP timestamp units (RFC 3550, 6.4.1). */
  jitter?: number;
}

/** The quality of one received RTP stream, in units an operator reads. */
export interface RtpStreamQuality {
  /** Packets received. */
  packets: number;
  /** Packets expected and not received, since the stream started (at the last report). */
  packetsLost: number;
  /** 0..1: the share lost over the last RTCP report interval (a few seconds). */
  fractionLost: number;
  /** Interarrival jitter in seconds; null when the statistic has none. */
  jitterSeconds: number | null;
}

/** Converts mediasoup's statistic of a stream with the given RTP clock rate. */
export function rtpQuality(stat: MediasoupRtpStat, clockRate: number): RtpStreamQuality {
  return {
    packets: stat.packetCount,
    packetsLost: Math.max(0, stat.packetsLost),
    fractionLost: Math.min(1, Math.max(0, stat.fractionLost / 256)),
    jitterSeconds:
      stat.jitter === undefined || clockRate <= 0 ? null : Math.max(0, stat.jitter) / clockRate,
  };
}
