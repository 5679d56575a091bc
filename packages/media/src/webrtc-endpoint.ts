import * as sdpTransform from "sdp-transform";
import {
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket as WeriftRtpPacket,
} from "werift";
import { type Clock, Pacer, systemClock } from "./clock.js";
import { type DtmfKey, TelephoneEventReceiver } from "./dtmf.js";
import { MediaError, MediaErrorCode } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { type G711Law, g711Decode, g711Encode } from "./g711.js";
import { dtmfTone } from "./goertzel.js";
import type { MediaLeg } from "./leg.js";
import { OutboundStream } from "./outbound.js";
import type { RtpPacket } from "./rtp.js";
import { randomSsrc } from "./rtp.js";
import type { EndpointStats } from "./rtp-endpoint.js";

export interface WebRtcEndpointOptions {
  /** Address advertised in ICE host candidates instead of the interface's (1:1 NAT). */
  publicAddress?: string;
  /** Also gather on these local addresses (e.g. 127.0.0.1, which is skipped by default). */
  extraHostAddresses?: string[];
  /** UDP port range for ICE. */
  portRange?: [number, number];
  /** Offer/accept video (VP8, H.264) to be passed through untouched. */
  video?: boolean;
  clock?: Clock;
}

export type WebRtcEndpointEvents = {
  rtp: [packet: RtpPacket];
  dtmf: [report: import("./dtmf.js").DtmfReport];
  /** A video RTP packet, as received (after SRTP). */
  video: [packet: Buffer];
  /** The far end asked for a key frame (PLI). */
  keyframeRequest: [];
  connected: [];
  close: [];
};

// Static payload types for G.711 (RFC 3551) so plain RTP legs and WebRTC legs agree.
const AUDIO_CODECS = () => [
  new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
  new RTCRtpCodecParameters({ mimeType: "audio/PCMA", clockRate: 8000, channels: 1, payloadType: 8 }),
  new RTCRtpCodecParameters({
    mimeType: "audio/telephone-event",
    clockRate: 8000,
    channels: 1,
    payloadType: 101,
  }),
];
const VIDEO_CODECS = () => [
  new RTCRtpCodecParameters({
    mimeType: "video/VP8",
    clockRate: 90000,
    payloadType: 96,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
  }),
  new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90000,
    payloadType: 97,
    parameters: "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1",
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
  }),
];

/**
 * A WebRTC leg (web and WeChat callers, the agent softphone): ICE with host
 * candidates, DTLS-SRTP, G.711 audio; video relayed untouched. Speaks the same
 * MediaLeg contract as RtpEndpoint, so bridges, recordings and mixers take either.
 * SDP is exchanged whole (ICE gathering completes before it is returned), as SIP
 * signalling expects.
 */
export class WebRtcEndpoint extends TypedEmitter<WebRtcEndpointEvents> implements MediaLeg {
  readonly out = new OutboundStream(randomSsrc());
  #pc: RTCPeerConnection;
  #opts: WebRtcEndpointOptions;
  #clock: Clock;
  #audio: RTCRtpTransceiver | undefined;
  #video: RTCRtpTransceiver | undefined;
  #law: G711Law = "pcmu";
  #audioPt = 0;
  #tePt: number | undefined;
  #dtmfRx = new TelephoneEventReceiver();
  #closed = false;
  #connected = false;
  #encodeBuf = new Uint8Array(160);
  #packetsReceived = 0;
  #dtmfTx: Pacer | undefined;
  /** Settles the sendDtmf promise in flight, also when close() cuts it short. */
  #dtmfDone: (() => void) | undefined;

  constructor(opts: WebRtcEndpointOptions = {}) {
    super();
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#pc = new RTCPeerConnection({
      codecs: { audio: AUDIO_CODECS(), ...(opts.video ? { video: VIDEO_CODECS() } : {}) },
      ...(opts.portRange ? { icePortRange: opts.portRange } : {}),
      ...(opts.extraHostAddresses ? { iceAdditionalHostAddresses: opts.extraHostAddresses } : {}),
      iceUseIpv6: false,
    });
    this.#pc.onTransceiverAdded.subscribe((t) => this.#adopt(t));
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === "connected" && !this.#connected) {
        this.#connected = true;
        this.emit("connected");
      }
      if (state === "failed" || state === "closed") void this.close();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
  get connected(): boolean {
    return this.#connected;
  }
  get law(): G711Law {
    return this.#law;
  }
  get media(): { telephoneEventPt: number | undefined } | undefined {
    return this.#audio ? { telephoneEventPt: this.#tePt } : undefined;
  }

  #adopt(t: RTCRtpTransceiver): void {
    if (t.kind === "audio" && !this.#audio) {
      this.#audio = t;
      t.onTrack.subscribe((track: MediaStreamTrack) => {
        track.onReceiveRtp.subscribe((p) => this.#onAudio(p));
      });
    } else if (t.kind === "video" && !this.#video) {
      this.#video = t;
      t.onTrack.subscribe((track: MediaStreamTrack) => {
        track.onReceiveRtp.subscribe((p) => {
          if (!this.#closed) this.emit("video", p.serialize());
        });
      });
      t.sender.onPictureLossIndication.subscribe(() => this.emit("keyframeRequest"));
    }
  }

  #onAudio(p: WeriftRtpPacket): void {
    if (this.#closed) return;
    const h = p.header;
    if (h.payloadType === this.#tePt) {
      try {
        for (const r of this.#dtmfRx.push(h.timestamp, p.payload, this.#clock.now())) this.emit("dtmf", r);
      } catch {
        // malformed event payload: dropped
      }
      return;
    }
    if (h.payloadType !== this.#audioPt) return;
    this.#packetsReceived++;
    this.emit("rtp", {
      payloadType: h.payloadType,
      marker: h.marker,
      sequenceNumber: h.sequenceNumber,
      timestamp: h.timestamp,
      ssrc: h.ssrc,
      payload: p.payload,
    });
  }

  async #gathered(): Promise<string> {
    if (this.#pc.iceGatheringState !== "complete") {
      await new Promise<void>((resolve) => {
        const sub = this.#pc.iceGatheringStateChange.subscribe((s) => {
          if (s === "complete") {
            sub.unSubscribe();
            resolve();
          }
        });
      });
    }
    const sdp = this.#pc.localDescription?.sdp ?? "";
    return this.#opts.publicAddress ? rewriteHostCandidates(sdp, this.#opts.publicAddress) : sdp;
  }

  #learn(remoteSdp: string): void {
    const m = sdpTransform.parse(remoteSdp).media.find((x) => x.type === "audio");
    // Browsers offer telephone-event at 48 kHz too; ours is the 8 kHz one (G.711's clock).
    this.#tePt = m?.rtp.find((r) => r.codec.toLowerCase() === "telephone-event" && r.rate === 8000)?.payload;
    const codec = this.#audio?.sender.codec;
    if (codec) {
      this.#audioPt = codec.payloadType ?? 0;
      this.#law = codec.mimeType.toUpperCase().endsWith("PCMA") ? "pcma" : "pcmu";
    }
  }

  async createOffer(): Promise<string> {
    this.#assertOpen();
    this.#pc.addTransceiver("audio", { direction: "sendrecv" });
    if (this.#opts.video) this.#pc.addTransceiver("video", { direction: "sendrecv" });
    await this.#pc.setLocalDescription(await this.#pc.createOffer());
    return this.#gathered();
  }

  async acceptAnswer(sdp: string): Promise<void> {
    this.#assertOpen();
    await this.#pc.setRemoteDescription({ type: "answer", sdp });
    this.#learn(sdp);
  }

  async createAnswer(offerSdp: string): Promise<string> {
    this.#assertOpen();
    // werift matches telephone-event by name only and would pick a browser's
    // 48 kHz one; with G.711 the browser sends DTMF only at 8 kHz (RFC 4733 §2.1:
    // the event clock is the audio clock), so offer werift just the 8 kHz one.
    offerSdp = only8kTelephoneEvent(offerSdp);
    await this.#pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    for (const t of this.#pc.getTransceivers()) {
      this.#adopt(t);
      t.setDirection("sendrecv");
    }
    if (!this.#audio) throw new MediaError(MediaErrorCode.NoCommonCodec, "offer has no audio");
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    this.#learn(offerSdp);
    return this.#gathered();
  }

  sendEncoded(source: unknown, inSeq: number, inTs: number, payload: Uint8Array, marker = false): void {
    // While a key is being sent, other sources are held back.
    if (this.#dtmfTx) return;
    this.#sendEncodedNow(source, inSeq, inTs, payload, marker);
  }

  #sendEncodedNow(source: unknown, inSeq: number, inTs: number, payload: Uint8Array, marker = false): void {
    if (!this.#connected || this.#closed || !this.#audio) return;
    const o = this.out.next(source, inSeq, inTs, this.#clock.now(), payload.length);
    const header = new RtpHeader({
      payloadType: this.#audioPt,
      sequenceNumber: o.seq,
      timestamp: o.ts,
      marker: marker || o.marker,
      ssrc: this.out.ssrc,
    });
    this.#audio.sender.sendRtp(new WeriftRtpPacket(header, Buffer.from(payload))).catch(() => {});
  }

  sendPcm(source: unknown, frameIndex: number, pcm: Int16Array): void {
    if (this.#dtmfTx) return;
    this.#sendPcmNow(source, frameIndex, pcm);
  }

  #sendPcmNow(source: unknown, frameIndex: number, pcm: Int16Array): void {
    if (this.#encodeBuf.length < pcm.length) this.#encodeBuf = new Uint8Array(pcm.length);
    const payload = g711Encode(this.#law, pcm, this.#encodeBuf).subarray(0, pcm.length);
    this.#sendEncodedNow(source, frameIndex & 0xffff, (frameIndex * pcm.length) >>> 0, payload);
  }

  /**
   * Sends a key as an in-band tone pair. werift's sender rewrites every packet to
   * the audio codec's payload type, so RFC 4733 events cannot be sent here yet.
   */
  sendDtmf(key: DtmfKey, durationMs = 100): Promise<void> {
    this.#assertOpen();
    if (this.#dtmfTx)
      return Promise.reject(new MediaError(MediaErrorCode.InvalidArgument, "already sending a key"));
    const tone = dtmfTone(key, durationMs, 8000);
    // Then 60 ms of silence: the pause that ends a press for a tone detector (Q.24
    // wants at least 40 ms between digits).
    const frames = Math.ceil(tone.length / 160) + 3;
    const source = {};
    const frame = new Int16Array(160);
    return new Promise((resolve) => {
      this.#dtmfDone = resolve;
      this.#dtmfTx = new Pacer(this.#clock, 20, (k) => {
        frame.fill(0);
        frame.set(tone.subarray(k * 160, k * 160 + 160));
        this.#sendPcmNow(source, k, frame);
        if (k + 1 >= frames || this.#closed) {
          this.#dtmfTx?.stop();
          this.#dtmfTx = undefined;
          this.#dtmfDone = undefined;
          this.out.reset();
          resolve();
        }
      });
    });
  }

  decode(payload: Uint8Array, out?: Int16Array): Int16Array {
    return g711Decode(this.#law, payload, out);
  }

  /** Counters only: loss and jitter of SRTP streams are werift's (not exposed yet). */
  stats(): EndpointStats {
    return {
      packetsReceived: this.#packetsReceived,
      packetsLost: 0,
      fractionLost: 0,
      jitterMs: 0,
      packetsSent: this.out.packetsSent,
      octetsSent: this.out.octetsSent,
      remote: undefined,
    };
  }

  /** What was agreed: codec and the telephone-event payload type. */
  get negotiated(): { codec: "PCMU" | "PCMA"; payloadType: number; telephoneEventPt: number | undefined } {
    return {
      codec: this.#law === "pcma" ? "PCMA" : "PCMU",
      payloadType: this.#audioPt,
      telephoneEventPt: this.#tePt,
    };
  }

  /** Sends a video RTP packet from another leg, unchanged but for SSRC/seq/ts continuity. */
  sendVideo(packet: Buffer): void {
    if (!this.#connected || this.#closed || !this.#video) return;
    this.#video.sender.sendRtp(packet).catch(() => {});
  }

  /** Asks the far end for a key frame (RTCP PLI, RFC 4585 §6.3.1). */
  requestKeyframe(): void {
    const t = this.#video;
    const ssrc = t?.receiver.trackBySSRC ? Object.keys(t.receiver.trackBySSRC)[0] : undefined;
    if (t && ssrc) t.receiver.sendRtcpPLI(Number(ssrc)).catch(() => {});
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError(MediaErrorCode.Closed, "WebRTC endpoint is closed");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dtmfTx?.stop();
    this.#dtmfTx = undefined;
    this.#dtmfDone?.();
    this.#dtmfDone = undefined;
    await this.#pc.close().catch(() => {});
    this.emit("close");
    this.removeAllListeners();
  }
}

/** Video passthrough between two WebRTC legs (sign-language calls); returns an unlink function. */
export function bridgeVideo(a: WebRtcEndpoint, b: WebRtcEndpoint): () => void {
  const ab = (p: Buffer): void => b.sendVideo(p);
  const ba = (p: Buffer): void => a.sendVideo(p);
  const kfA = (): void => b.requestKeyframe();
  const kfB = (): void => a.requestKeyframe();
  a.on("video", ab);
  b.on("video", ba);
  a.on("keyframeRequest", kfA);
  b.on("keyframeRequest", kfB);
  // A new viewer needs a key frame before it can decode anything.
  a.requestKeyframe();
  b.requestKeyframe();
  return () => {
    a.off("video", ab);
    b.off("video", ba);
    a.off("keyframeRequest", kfA);
    b.off("keyframeRequest", kfB);
  };
}

/** Removes telephone-event payload types whose clock is not 8 kHz from audio sections. */
export function only8kTelephoneEvent(sdp: string): string {
  const s = sdpTransform.parse(sdp);
  let changed = false;
  for (const m of s.media) {
    if (m.type !== "audio") continue;
    const drop = new Set(
      m.rtp
        .filter((r) => r.codec.toLowerCase() === "telephone-event" && r.rate !== 8000)
        .map((r) => r.payload),
    );
    if (drop.size === 0) continue;
    changed = true;
    m.rtp = m.rtp.filter((r) => !drop.has(r.payload));
    m.fmtp = m.fmtp.filter((f) => !drop.has(f.payload));
    if (m.rtcpFb) m.rtcpFb = m.rtcpFb.filter((f) => !drop.has(Number(f.payload)));
    m.payloads = String(m.payloads ?? "")
      .split(" ")
      .filter((p) => p !== "" && !drop.has(Number(p)))
      .join(" ");
  }
  return changed ? sdpTransform.write(s) : sdp;
}

/** Replaces the address of IPv4 host candidates with `publicAddress` (1:1 NAT). */
export function rewriteHostCandidates(sdp: string, publicAddress: string): string {
  return sdp
    .split("\r\n")
    .map((line) => {
      if (!line.startsWith("a=candidate:") || !line.includes(" typ host")) return line;
      const parts = line.split(" ");
      if (parts[4] && /^\d+\.\d+\.\d+\.\d+$/.test(parts[4])) parts[4] = publicAddress;
      return parts.join(" ");
    })
    .join("\r\n");
}
