import { randomBytes, randomUUID } from 'node:crypto';
import {
  buildMetaSdp,
  effectiveAudio,
  mediaDefects,
  normalizeRemoteSdp,
  parseSdp,
  sdpProblems,
} from './sdp';
import {
  assertBindable,
  createPeerConnection,
  SdpRejectedError,
  WebRtcAudioPeer,
  waitForGathering,
  type WebRtcAudioPeerOptions,
} from './webrtc-audio-peer';

export type SimulatedMediaPeerOptions = WebRtcAudioPeerOptions;

/** Replaces the a=setup value of every line that has one. */
function withSetup(sdp: string, setup: string): string {
  return sdp.replace(/^a=setup:\S+/gm, `a=setup:${setup}`);
}

/**
 * The WhatsApp user's side of one call: a werift peer configured the way Meta's media edge
 * is (ICE-lite, always the DTLS server, BUNDLE, rtcp-mux, Opus 111 + telephone-event 126,
 * 20 ms), with Meta-shaped SDP. Like Meta's edge it never starts ICE checks nor the DTLS
 * handshake, so a business answer that is ICE-lite or `setup:passive` leaves the call silent.
 */
export class SimulatedMediaPeer extends WebRtcAudioPeer {
  private role: 'offerer' | 'answerer' | null = null;
  private localSdp: string | null = null;
  private applying: Promise<void> | null = null;
  private defectList: string[] = [];

  static async create(options: SimulatedMediaPeerOptions = {}): Promise<SimulatedMediaPeer> {
    const address = options.address ?? '127.0.0.1';
    await assertBindable(address);
    return new SimulatedMediaPeer(options, address);
  }

  private constructor(options: SimulatedMediaPeerOptions, address: string) {
    super(createPeerConnection(address, { iceLite: true }), options);
  }

  /** Why the business's SDP will not carry media here (empty when it looks right). */
  get defects(): string[] {
    return [...this.defectList];
  }

  /** The Meta-shaped SDP this peer produced (offer or answer). */
  get localDescription(): string | null {
    return this.localSdp;
  }

  /** A Meta-shaped ICE-lite offer, as in a user-initiated `connect` webhook. */
  async createOffer(): Promise<string> {
    if (this.role) throw new Error('this peer already negotiated');
    this.role = 'offerer';
    const transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    // WhatsApp names its one media section "audio".
    transceiver.mid = 'audio';
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitForGathering(this.pc);
    this.localSdp = this.metaSdp({
      setup: 'actpass',
      mid: 'audio',
      opus: 111,
      telephoneEvent: 126,
      clock: 8000,
    });
    return this.localSdp;
  }

  /**
   * Applies the business's answer (pre_accept/accept). It must be full ICE with
   * `setup:active` for media to flow; anything else is applied as Meta would experience it
   * (nobody starts ICE or DTLS) and recorded in `defects`.
   */
  applyAnswer(sdp: string): Promise<void> {
    if (this.role !== 'offerer')
      return Promise.reject(new Error('applyAnswer needs createOffer first'));
    // pre_accept then accept (or a retried request) apply the answer once.
    this.applying ??= this.apply(sdp).catch((error: unknown) => {
      this.applying = null;
      throw error;
    });
    return this.applying;
  }

  private async apply(sdp: string): Promise<void> {
    const problems = sdpProblems(sdp);
    if (problems.length > 0) throw new SdpRejectedError(problems);
    this.defectList = mediaDefects(sdp, 'answer');
    let remote = normalizeRemoteSdp(sdp, { rewriteCandidatesTo: this.rewriteRemoteCandidatesTo });
    // Meta's edge is only ever the DTLS server: whatever role the answer claims, this peer
    // waits for a ClientHello. werift would become the client on a passive answer, so it is
    // told the business is active (which a passive business never acts on).
    remote = withSetup(remote, 'active');
    await this.pc.setRemoteDescription({ type: 'answer', sdp: remote });
    this.attachEndpoint(sdp);
  }

  /** A Meta-shaped ICE-lite answer to a business's offer (business-initiated call). */
  async answerOffer(sdp: string): Promise<string> {
    if (this.role) throw new Error('this peer already negotiated');
    this.role = 'answerer';
    const problems = sdpProblems(sdp);
    if (problems.length > 0) throw new SdpRejectedError(problems);
    this.defectList = mediaDefects(sdp, 'offer');
    const offered = effectiveAudio(parseSdp(sdp));
    const passiveOffer = offered?.setup === 'passive';
    let remote = normalizeRemoteSdp(sdp, { rewriteCandidatesTo: this.rewriteRemoteCandidatesTo });
    // See applyAnswer: this side stays DTLS server even when the offer wants it active.
    if (passiveOffer) remote = withSetup(remote, 'active');
    await this.pc.setRemoteDescription({ type: 'offer', sdp: remote });
    const transceiver = this.audioTransceiver();
    transceiver.setDirection('sendrecv');
    transceiver.dtlsTransport.role = 'server';
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await waitForGathering(this.pc);
    const answered = effectiveAudio(parseSdp(this.pc.localDescription?.sdp ?? ''));
    this.localSdp = this.metaSdp({
      setup: passiveOffer ? 'active' : 'passive',
      mid: offered?.section.mid ?? '0',
      opus: answered?.opus?.payloadType ?? offered?.opus?.payloadType ?? 111,
      telephoneEvent: answered?.telephoneEvent?.payloadType ?? null,
      clock: answered?.telephoneEvent?.clockRate ?? 8000,
    });
    this.attachEndpoint(this.localSdp);
    return this.localSdp;
  }

  private metaSdp(p: {
    setup: 'actpass' | 'passive' | 'active';
    mid: string;
    opus: number;
    telephoneEvent: number | null;
    clock: number;
  }): string {
    const local = effectiveAudio(parseSdp(this.pc.localDescription?.sdp ?? ''));
    if (!local?.iceUfrag || !local.icePwd || !local.fingerprint) {
      throw new Error('werift produced no ICE/DTLS parameters');
    }
    return buildMetaSdp({
      sessionId: String(Date.now()),
      address: this.announcedAddress,
      port: this.localCandidatePort(),
      iceUfrag: local.iceUfrag,
      icePwd: local.icePwd,
      fingerprint: local.fingerprint,
      setup: p.setup,
      mid: p.mid,
      opusPayloadType: p.opus,
      telephoneEventPayloadType: p.telephoneEvent,
      telephoneEventClockRate: p.clock,
      ssrc: this.audioTransceiver().sender.ssrc,
      streamId: randomUUID(),
      candidateFoundation: String(randomBytes(4).readUInt32BE(0)),
    });
  }
}
