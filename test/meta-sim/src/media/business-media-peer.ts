import { normalizeRemoteSdp, sdpProblems } from './sdp';
import {
  assertBindable,
  createPeerConnection,
  SdpRejectedError,
  WebRtcAudioPeer,
  waitForGathering,
  type WebRtcAudioPeerOptions,
} from './webrtc-audio-peer';

export interface BusinessMediaPeerOptions extends WebRtcAudioPeerOptions {
  /** Advertise ICE-lite (a broken business: nobody will send connectivity checks). */
  iceLite?: boolean;
  /**
   * DTLS role this peer takes. `active` (default) is what Meta needs; `passive` reproduces
   * the classic mistake (nobody sends the ClientHello).
   */
  dtlsRole?: 'active' | 'passive';
}

/**
 * A business-side WebRTC endpoint for tests and demos: a default werift peer (full ICE,
 * controlling against an ICE-lite remote, DTLS client), i.e. what a correct business media
 * edge looks like to Meta. It can also be made wrong on purpose.
 */
export class BusinessMediaPeer extends WebRtcAudioPeer {
  private negotiated = false;
  private offered = false;

  static async create(options: BusinessMediaPeerOptions = {}): Promise<BusinessMediaPeer> {
    await assertBindable(options.address ?? '127.0.0.1');
    return new BusinessMediaPeer(options);
  }

  private constructor(private readonly peerOptions: BusinessMediaPeerOptions) {
    super(
      createPeerConnection(peerOptions.address ?? '127.0.0.1', {
        iceLite: peerOptions.iceLite ?? false,
      }),
      peerOptions,
    );
  }

  /** A full-ICE offer (`setup:actpass`, or `setup:passive` when configured so). */
  async createOffer(): Promise<string> {
    if (this.negotiated || this.offered) throw new Error('this peer already negotiated');
    this.offered = true;
    this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitForGathering(this.pc);
    let sdp = this.publishable(this.pc.localDescription?.sdp ?? '');
    if (this.peerOptions.dtlsRole === 'passive')
      sdp = sdp.replace(/^a=setup:\S+/gm, 'a=setup:passive');
    return sdp;
  }

  /** Applies WhatsApp's answer from the business-initiated `connect` webhook. */
  async applyAnswer(sdp: string): Promise<void> {
    if (!this.offered || this.negotiated) throw new Error('applyAnswer needs a pending offer');
    const problems = sdpProblems(sdp);
    if (problems.length > 0) throw new SdpRejectedError(problems);
    let remote = normalizeRemoteSdp(sdp, { rewriteCandidatesTo: this.rewriteRemoteCandidatesTo });
    // A "passive" business still offered actpass to werift; keep werift the DTLS server.
    if (this.peerOptions.dtlsRole === 'passive')
      remote = remote.replace(/^a=setup:\S+/gm, 'a=setup:active');
    await this.pc.setRemoteDescription({ type: 'answer', sdp: remote });
    this.negotiated = true;
    this.attachEndpoint(sdp);
  }

  /** The answer to WhatsApp's offer from a user-initiated `connect` webhook. */
  async answerOffer(sdp: string): Promise<string> {
    if (this.negotiated || this.offered) throw new Error('this peer already negotiated');
    const problems = sdpProblems(sdp);
    if (problems.length > 0) throw new SdpRejectedError(problems);
    await this.pc.setRemoteDescription({
      type: 'offer',
      sdp: normalizeRemoteSdp(sdp, { rewriteCandidatesTo: this.rewriteRemoteCandidatesTo }),
    });
    const transceiver = this.audioTransceiver();
    transceiver.setDirection('sendrecv');
    if (this.peerOptions.dtlsRole === 'passive') transceiver.dtlsTransport.role = 'server';
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await waitForGathering(this.pc);
    this.negotiated = true;
    const answer = this.publishable(this.pc.localDescription?.sdp ?? '');
    this.attachEndpoint(answer);
    return answer;
  }

  /** Keeps only the candidate on this peer's own address, written as the announced one. */
  private publishable(sdp: string): string {
    const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
    const kept = lines
      .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === this.address)
      .map((line) => {
        if (line.startsWith('a=candidate:')) {
          const parts = line.split(' ');
          parts[4] = this.announcedAddress;
          return parts.join(' ');
        }
        if (line.startsWith('c=IN IP4 0.0.0.0')) return `c=IN IP4 ${this.announcedAddress}`;
        return line;
      });
    return `${kept.join('\r\n')}\r\n`;
  }
}
