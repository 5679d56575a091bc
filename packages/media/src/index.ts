// Public surface of @hotline12345/media. Keep it small and typed: acd-server
// builds its embedded engine on exactly this.

export { Bridge, type BridgeOptions } from "./bridge.js";
export { type Clock, FakeClock, systemClock, type TimerHandle } from "./clock.js";
export {
  ALL_DTMF_KEYS,
  type DtmfKey,
  type DtmfReport,
  isDtmfKey,
  TelephoneEventReceiver,
  telephoneEventPackets,
} from "./dtmf.js";
export {
  type Conference,
  type EndpointEvents,
  EndpointHandle,
  MediaEngine,
  type MediaEngineOptions,
  type Playback,
  type Recording,
} from "./engine.js";
export { MediaError, MediaErrorCode } from "./errors.js";
export { AudioFork, type AudioForkOptions, type ForkHeader, type ForkMode } from "./fork.js";
export { type G711Law, g711Decode, g711Encode, g711Transcode } from "./g711.js";
export { dtmfTone, GoertzelDtmfDetector } from "./goertzel.js";
export type { MediaLeg } from "./leg.js";
export { Mixer, type MixerParty, mixFrame, type PartyRole } from "./mixer.js";
export {
  type AudioSink,
  decodePrompt,
  loadPrompt,
  Player,
  type PlayOptions,
  type PlayResult,
  type Prompt,
} from "./player.js";
export { PortAllocator } from "./port-allocator.js";
export type { Negotiated, WorkerStats } from "./protocol.js";
export { type RecordingOptions, RecordingTap } from "./recorder.js";
export { parseRtcp, ReceptionStats, type RtcpPacket, RtcpType, serializeRtcp } from "./rtcp.js";
export { parseRtp, type RtpPacket, serializeRtp } from "./rtp.js";
export {
  type EndpointStats,
  RtpEndpoint,
  type RtpEndpointEvents,
  type RtpEndpointOptions,
} from "./rtp-endpoint.js";
export type { CodecName, Direction, NegotiatedMedia } from "./sdp.js";
export type { TapSource } from "./tap.js";
export { encodeWav, IncrementalWavWriter, parseWav, type WavData, wavSamples } from "./wav.js";
export {
  bridgeVideo,
  WebRtcEndpoint,
  type WebRtcEndpointEvents,
  type WebRtcEndpointOptions,
} from "./webrtc-endpoint.js";
