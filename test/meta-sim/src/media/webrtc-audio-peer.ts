import { createSocket } from 'node:dgram';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type PeerConfig,
  type RTCRtpTransceiver,
} from 'werift';
import type { AudioAnalysis } from '../audio/analysis';
import { wavToMono48k } from '../audio/wav';
import {
  RtpAudioEndpoint,
  type MediaStats,
  type NegotiatedPayloadTypes,
} from './rtp-audio-endpoint';
import { effectiveAudio, parseSdp } from './sdp';

export const DEFAULT_MAX_RECORDED_MS = 120_000;

export class SdpRejectedError extends Error {
  override readonly name = 'SdpRejectedError';
  constructor(readonly problems: string[]) {
    super(`unusable SDP: ${problems.join('; ')}`);
  }
}

export interface WebRtcAudioPeerOptions {
  /** Local address the UDP sockets bind to and candidates name. Default 127.0.0.1. */
  address?: string;
  /** Address written into SDP instead of `address` (NAT, containers). */
  announcedAddress?: string;
  /** Replace every remote candidate (and c= line) address with this one before applying. */
  rewriteRemoteCandidatesTo?: string | null;
  /** Received audio kept for `receivedPcm()`/`receivedWav()`. Default 120 s. */
  maxRecordedMs?: number;
}

/** WhatsApp's codec set: Opus PT 111 and telephone-event/8000 PT 126. */
export function whatsappCodecs(): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      payloadType: 111,
      parameters:
        'maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1',
      rtcpFeedback: [{ type: 'transport-cc' }],
    }),
    new RTCRtpCodecParameters({
      mimeType: 'audio/telephone-event',
      clockRate: 8000,
      payloadType: 126,
    }),
  ];
}

const bindable = new Set<string>();

/**
 * Fails clearly when UDP cannot bind to `address`. werift would otherwise hit the bind error
 * inside candidate gathering as an unhandled socket 'error' event, which ends the process.
 */
export async function assertBindable(address: string): Promise<void> {
  if (bindable.has(address)) return;
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    bindable.add(address);
  } catch (error) {
    throw new Error(
      `cannot bind UDP to media address ${address}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    socket.close();
  }
}

export function createPeerConnection(
  address: string,
  config: Partial<PeerConfig> = {},
): RTCPeerConnection {
  const ipv6 = address.includes(':');
  return new RTCPeerConnection({
    codecs: { audio: whatsappCodecs() },
    iceUseIpv4: !ipv6,
    iceUseIpv6: ipv6,
    iceAdditionalHostAddresses: [address],
    iceInterfaceAddresses: ipv6 ? { udp6: address } : { udp4: address },
    ...config,
  });
}

export function waitForGathering(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const subscription = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        subscription.unSubscribe();
        resolve();
      }
    });
  });
}

/** Payload types both sides agreed on, read from the SDP that carries the final choice. */
export function negotiatedPayloadTypes(sdp: string): NegotiatedPayloadTypes {
  const audio = effectiveAudio(parseSdp(sdp));
  return {
    opus: audio?.opus?.payloadType ?? 111,
    telephoneEvent: audio?.telephoneEvent?.payloadType ?? null,
    telephoneEventClockRate: audio?.telephoneEvent?.clockRate ?? 8000,
  };
}

/**
 * One WebRTC audio leg (werift) with a tone/WAV/DTMF sender and an analysing receiver.
 * Subclasses decide how the SDP looks (WhatsApp's ICE-lite side, or a business's full ICE).
 */
export abstract class WebRtcAudioPeer {
  protected readonly endpoint: RtpAudioEndpoint;
  protected readonly address: string;
  protected readonly announcedAddress: string;
  protected readonly rewriteRemoteCandidatesTo: string | null;
  private closed = false;

  protected constructor(
    protected readonly pc: RTCPeerConnection,
    options: WebRtcAudioPeerOptions,
  ) {
    this.address = options.address ?? '127.0.0.1';
    this.announcedAddress = options.announcedAddress ?? this.address;
    this.rewriteRemoteCandidatesTo = options.rewriteRemoteCandidatesTo ?? null;
    this.endpoint = new RtpAudioEndpoint({
      maxRecordedMs: options.maxRecordedMs ?? DEFAULT_MAX_RECORDED_MS,
    });
  }

  /** ICE and DTLS completed. */
  get connected(): boolean {
    return this.endpoint.isConnected;
  }

  /** Monotonic time (performance.now()) of the last RTP packet received. */
  get lastPacketReceivedAt(): number | null {
    return this.endpoint.lastPacketReceivedAt;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls `listener` once ICE and DTLS are up (at once if they already are). */
  onConnected(listener: () => void): void {
    this.endpoint.onConnectedOnce(listener);
  }

  /** Resolves at the first decoded inbound audio packet. */
  waitForMedia(timeoutMs: number): Promise<void> {
    return this.endpoint.waitForMedia(timeoutMs);
  }

  /** Sends a continuous sine instead of silence until told otherwise. */
  startTone(hz: number): void {
    void this.endpoint.speak({ toneHz: hz });
  }

  /** Plays a 16-bit PCM WAV (any rate, any channel count); resolves when it has been sent. */
  playWav(wav: Buffer): Promise<void> {
    return this.endpoint.speak({ pcm: wavToMono48k(wav) });
  }

  /** Plays mono 48 kHz PCM; resolves when it has been sent. */
  playPcm(pcm: Int16Array): Promise<void> {
    return this.endpoint.speak({ pcm });
  }

  /** Simulated network loss: every `n`-th packet sent from now on is lost (0: none). */
  loseEveryNth(n: number): void {
    this.endpoint.loseEveryNth(n);
  }

  /** Back to silence (silence is still sent, as a phone does). */
  stopSpeaking(): void {
    void this.endpoint.speak(null);
  }

  /**
   * RFC 4733 events on the negotiated telephone-event payload type; `w` pauses 500 ms.
   * Resolves when the last end packet went out.
   */
  sendDigits(digits: string, options?: { durationMs?: number; gapMs?: number }): Promise<void> {
    return this.endpoint.sendDigits(digits, options);
  }

  stats(): MediaStats {
    return this.endpoint.stats();
  }

  analyse(window: { fromMs?: number; toMs?: number } = {}): AudioAnalysis {
    return this.endpoint.analyse(window);
  }

  /** Everything heard so far, mono 48 kHz. */
  receivedPcm(): Int16Array {
    return this.endpoint.receivedPcm();
  }

  receivedWav(): Buffer {
    return this.endpoint.receivedWav();
  }

  /** Forget what was heard so far (recording, level window, received digits). */
  resetReceived(): void {
    this.endpoint.resetReceived();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endpoint.close();
    await this.pc.close();
  }

  protected audioTransceiver(): RTCRtpTransceiver {
    const transceiver = this.pc.getTransceivers().find((t) => t.kind === 'audio');
    if (!transceiver) throw new Error('no audio transceiver');
    return transceiver;
  }

  protected attachEndpoint(finalSdp: string): void {
    const transceiver = this.audioTransceiver();
    this.endpoint.attach(
      transceiver.dtlsTransport,
      transceiver.sender.ssrc,
      negotiatedPayloadTypes(finalSdp),
    );
  }

  /** The port of the local host candidate on `address`, after gathering. */
  protected localCandidatePort(): number {
    const local = this.pc.localDescription?.sdp;
    const audio = local ? effectiveAudio(parseSdp(local)) : null;
    const candidate =
      audio?.section.candidates.find((c) => c.address === this.address && c.transport === 'udp') ??
      audio?.section.candidates.find((c) => c.transport === 'udp');
    if (!candidate) throw new Error(`no local ICE candidate on ${this.address}`);
    return candidate.port;
  }
}
