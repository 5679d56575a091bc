import type { DtmfKey, DtmfReport } from "./dtmf.js";
import type { G711Law } from "./g711.js";
import type { RtpPacket } from "./rtp.js";

/**
 * What the bridge, recorder, mixer and fork need from an audio leg. Both the plain
 * RTP endpoint and the WebRTC endpoint are legs, so a WebRTC caller bridges to a
 * SIP agent like any other call.
 */
export interface MediaLeg {
  readonly closed: boolean;
  readonly law: G711Law;
  readonly media: { telephoneEventPt: number | undefined } | undefined;
  on(event: "rtp", listener: (p: RtpPacket) => void): unknown;
  on(event: "dtmf", listener: (r: DtmfReport) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  off(event: "rtp", listener: (p: RtpPacket) => void): unknown;
  off(event: "dtmf", listener: (r: DtmfReport) => void): unknown;
  off(event: "close", listener: () => void): unknown;
  sendEncoded(source: unknown, inSeq: number, inTs: number, payload: Uint8Array, marker?: boolean): void;
  sendPcm(source: unknown, frameIndex: number, pcm: Int16Array): void;
  sendDtmf(key: DtmfKey, durationMs?: number): Promise<void>;
  decode(payload: Uint8Array, out?: Int16Array): Int16Array;
}
