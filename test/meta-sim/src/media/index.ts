export { SimulatedMediaPeer, type SimulatedMediaPeerOptions } from './simulated-media-peer';
export { BusinessMediaPeer, type BusinessMediaPeerOptions } from './business-media-peer';
export {
  SdpRejectedError,
  type WebRtcAudioPeerOptions,
  WebRtcAudioPeer,
} from './webrtc-audio-peer';
export type { MediaStats } from './rtp-audio-endpoint';
export {
  buildMetaSdp,
  effectiveAudio,
  mediaDefects,
  META_OPUS_FMTP,
  normalizeRemoteSdp,
  parseSdp,
  sdpProblems,
  type MetaSdpParams,
  type ParsedSdp,
  type SdpCandidate,
  type SdpCodec,
  type SdpMediaSection,
} from './sdp';
