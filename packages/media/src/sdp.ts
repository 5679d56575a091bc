import * as sdpTransform from "sdp-transform";
import { MediaError, MediaErrorCode } from "./errors.js";
import type { G711Law } from "./g711.js";

/**
 * SDP offer/answer (RFC 3264) for one audio stream: PCMU/PCMA (RFC 3551 static
 * payload types 0 and 8) with RFC 4733 telephone-event, ptime, and the direction
 * attributes used for hold.
 */

export type CodecName = "PCMU" | "PCMA";
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

const STATIC_PT: Record<CodecName, number> = { PCMU: 0, PCMA: 8 };
export function codecLaw(c: CodecName): G711Law {
  return c === "PCMU" ? "pcmu" : "pcma";
}

export interface LocalMedia {
  /** Address put in c= (the public address when behind NAT). */
  address: string;
  port: number;
  /** In order of preference. */
  codecs: readonly CodecName[];
  /** Dynamic payload type offered for telephone-event; null to not offer it. */
  telephoneEventPt?: number | null;
  ptime?: number;
  direction?: Direction;
  /** o= session id and version (RFC 4566 §5.2: version increases with each change). */
  sessionId?: string;
  sessionVersion?: number;
}

export interface NegotiatedMedia {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpPort: number;
  codec: CodecName;
  payloadType: number;
  /** Telephone-event payload type the other side uses, if both support it. */
  telephoneEventPt: number | undefined;
  ptime: number;
  /** Our direction after negotiation. */
  direction: Direction;
}

export function buildSdp(local: LocalMedia, payloadTypes?: { codec: CodecName; pt: number }[]): string {
  const codecs = payloadTypes ?? local.codecs.map((c) => ({ codec: c, pt: STATIC_PT[c] }));
  const te = local.telephoneEventPt === undefined ? 101 : local.telephoneEventPt;
  const rtp: { payload: number; codec: string; rate: number }[] = codecs.map((c) => ({
    payload: c.pt,
    codec: c.codec,
    rate: 8000,
  }));
  const fmtp: { payload: number; config: string }[] = [];
  if (te !== null) {
    rtp.push({ payload: te, codec: "telephone-event", rate: 8000 });
    // RFC 4733 §7.1.1: "0-15" are the DTMF events.
    fmtp.push({ payload: te, config: "0-16" });
  }
  const ipVer = local.address.includes(":") ? 6 : 4;
  const session: sdpTransform.SessionDescription = {
    version: 0,
    origin: {
      username: "hotline12345",
      sessionId: local.sessionId ?? String(Date.now()),
      sessionVersion: local.sessionVersion ?? 1,
      netType: "IN",
      ipVer,
      address: local.address,
    },
    name: "hotline12345",
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: "audio",
        port: local.port,
        protocol: "RTP/AVP",
        payloads: rtp.map((r) => r.payload).join(" "),
        rtp,
        fmtp,
        // RFC 3605: RTCP on the next port up, stated explicitly for NATs that renumber.
        rtcp: { port: local.port + 1, netType: "IN", ipVer, address: local.address },
        ptime: local.ptime ?? 20,
        direction: local.direction ?? "sendrecv",
      },
    ],
  };
  return sdpTransform.write(session);
}

function parseAudio(sdp: string): {
  media: sdpTransform.MediaDescription;
  address: string;
} {
  const s = sdpTransform.parse(sdp);
  const media = s.media.find((m) => m.type === "audio");
  if (!media) throw new MediaError(MediaErrorCode.NoCommonCodec, "SDP has no audio m= line");
  const address = media.connection?.ip ?? s.connection?.ip;
  if (!address) throw new MediaError(MediaErrorCode.Malformed, "SDP has no c= line");
  return { media, address };
}

function payloadList(m: sdpTransform.MediaDescription): number[] {
  return String(m.payloads ?? "")
    .split(/\s+/)
    .filter((p) => p !== "")
    .map(Number);
}

function codecOf(m: sdpTransform.MediaDescription, pt: number): string | undefined {
  const r = m.rtp.find((x) => x.payload === pt);
  if (r) return r.codec.toUpperCase();
  // RFC 3551 static types need no a=rtpmap.
  if (pt === 0) return "PCMU";
  if (pt === 8) return "PCMA";
  return undefined;
}

function teOf(m: sdpTransform.MediaDescription): number | undefined {
  return m.rtp.find((r) => r.codec.toLowerCase() === "telephone-event" && r.rate === 8000)?.payload;
}

function mediaDirection(m: sdpTransform.MediaDescription, address: string): Direction {
  // RFC 3264 §8.4 notes the RFC 2543 hold, c=0.0.0.0: treat it as the peer not receiving.
  const d = (m.direction as Direction | undefined) ?? "sendrecv";
  if (address === "0.0.0.0") return d === "sendrecv" ? "sendonly" : d === "recvonly" ? "inactive" : d;
  return d;
}

/**
 * RFC 3264 §6.1: "If a stream is offered as sendonly, the corresponding stream
 * MUST be marked as recvonly or inactive in the answer. If a media stream is listed
 * as recvonly in the offer, the answer MUST be marked as sendonly or inactive ...
 * If an offered media stream is listed as inactive, it MUST be marked as inactive
 * in the answer."
 */
export function answerDirection(offered: Direction, wanted: Direction): Direction {
  const canSend =
    (wanted === "sendrecv" || wanted === "sendonly") && (offered === "sendrecv" || offered === "recvonly");
  const canRecv =
    (wanted === "sendrecv" || wanted === "recvonly") && (offered === "sendrecv" || offered === "sendonly");
  return canSend && canRecv ? "sendrecv" : canSend ? "sendonly" : canRecv ? "recvonly" : "inactive";
}

/** Answers a remote offer: picks the offerer's most preferred codec we support. */
export function createAnswer(offerSdp: string, local: LocalMedia): { sdp: string; media: NegotiatedMedia } {
  const { media: m, address } = parseAudio(offerSdp);
  if (m.port === 0)
    throw new MediaError(MediaErrorCode.NoCommonCodec, "audio stream rejected in offer (port 0)");
  let chosen: { codec: CodecName; pt: number } | undefined;
  for (const pt of payloadList(m)) {
    const name = codecOf(m, pt);
    if ((name === "PCMU" || name === "PCMA") && local.codecs.includes(name)) {
      chosen = { codec: name, pt };
      break;
    }
  }
  if (!chosen) throw new MediaError(MediaErrorCode.NoCommonCodec, "no common audio codec (PCMU/PCMA)");
  const remoteTe = local.telephoneEventPt === null ? undefined : teOf(m);
  const direction = answerDirection(mediaDirection(m, address), local.direction ?? "sendrecv");
  const ptime = m.ptime ?? 20;
  // RFC 4733 §7.1.1 / RFC 3264 §6.1: the answer uses the offer's payload type numbers.
  const sdp = buildSdp({ ...local, telephoneEventPt: remoteTe ?? null, direction, ptime }, [chosen]);
  return {
    sdp,
    media: {
      remoteAddress: address,
      remotePort: m.port,
      remoteRtcpPort: m.rtcp?.port ?? m.port + 1,
      codec: chosen.codec,
      payloadType: chosen.pt,
      telephoneEventPt: remoteTe,
      ptime,
      direction,
    },
  };
}

/** Reads the answer to our offer. */
export function acceptAnswer(answerSdp: string, local: LocalMedia): NegotiatedMedia {
  const { media: m, address } = parseAudio(answerSdp);
  if (m.port === 0)
    throw new MediaError(MediaErrorCode.NoCommonCodec, "audio stream rejected in answer (port 0)");
  let chosen: { codec: CodecName; pt: number } | undefined;
  for (const pt of payloadList(m)) {
    const name = codecOf(m, pt);
    if ((name === "PCMU" || name === "PCMA") && local.codecs.includes(name)) {
      chosen = { codec: name, pt };
      break;
    }
  }
  if (!chosen) throw new MediaError(MediaErrorCode.NoCommonCodec, "answer holds no codec we offered");
  // The answer's direction is the answerer's; ours is its mirror, limited by what we wanted.
  const remote = mediaDirection(m, address);
  return {
    remoteAddress: address,
    remotePort: m.port,
    remoteRtcpPort: m.rtcp?.port ?? m.port + 1,
    codec: chosen.codec,
    payloadType: chosen.pt,
    telephoneEventPt: local.telephoneEventPt === null ? undefined : teOf(m),
    ptime: m.ptime ?? 20,
    direction: answerDirection(remote, local.direction ?? "sendrecv"),
  };
}
