import type { RemoteInfo, Socket } from "node:dgram";
import { type Clock, Pacer, systemClock, type TimerHandle } from "./clock.js";
import { type DtmfKey, type DtmfReport, TelephoneEventReceiver, telephoneEventPackets } from "./dtmf.js";
import { MediaError, MediaErrorCode } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { type G711Law, g711Decode, g711Encode } from "./g711.js";
import { dtmfTone, GoertzelDtmfDetector } from "./goertzel.js";
import { OutboundStream } from "./outbound.js";
import type { PortAllocator } from "./port-allocator.js";
import {
  ntpFromUnixMs,
  parseRtcp,
  ReceptionStats,
  type ReportBlock,
  RtcpType,
  serializeRtcp,
} from "./rtcp.js";
import { parseRtp, type RtpPacket, randomSsrc, serializeRtp } from "./rtp.js";
import {
  acceptAnswer,
  buildSdp,
  type CodecName,
  codecLaw,
  createAnswer,
  type Direction,
  type LocalMedia,
  type NegotiatedMedia,
} from "./sdp.js";
import { bindRtpPair, closeQuietly } from "./udp.js";

export interface RtpEndpointOptions {
  ports: PortAllocator;
  /** Address the sockets bind to. Default 0.0.0.0. */
  bindAddress?: string;
  /** Address written in SDP c= (the public address behind NAT). Default: bind address, or 127.0.0.1. */
  publicAddress?: string;
  /** Offered codecs in order of preference. Default PCMU, PCMA. */
  codecs?: readonly CodecName[];
  /** Payload type offered for RFC 4733 (default 101); null offers none (DTMF then goes in-band). */
  telephoneEventPt?: number | null;
  /** Run the Goertzel detector on received audio too (trunks that send tones). */
  inbandDtmf?: boolean;
  rtcpIntervalMs?: number;
  clock?: Clock;
}

export interface EndpointStats {
  packetsReceived: number;
  packetsLost: number;
  /** Share of packets lost in the last RTCP interval, 0..1. */
  fractionLost: number;
  jitterMs: number;
  packetsSent: number;
  octetsSent: number;
  /** What the far end reported about our stream in its last RTCP report. */
  remote: { fractionLost: number; packetsLost: number; jitterMs: number } | undefined;
}

export type RtpEndpointEvents = {
  /** An audio packet of the negotiated codec (payload is a view: copy to keep). */
  rtp: [packet: RtpPacket];
  dtmf: [report: DtmfReport];
  latched: [remote: { address: string; port: number }];
  /** After each RTCP report we send (every ~5 s): loss and jitter both ways. */
  stats: [stats: EndpointStats];
  close: [];
};

/**
 * One RTP/RTCP audio stream on a UDP port pair: offer/answer, symmetric RTP, G.711,
 * RFC 4733 DTMF both ways, RTCP SR/RR with per-endpoint loss and jitter.
 */
export class RtpEndpoint extends TypedEmitter<RtpEndpointEvents> {
  readonly port: number;
  readonly publicAddress: string;
  readonly out: OutboundStream;
  #rtp: Socket;
  #rtcp: Socket;
  #ports: PortAllocator;
  #clock: Clock;
  #opts: RtpEndpointOptions;
  #media: NegotiatedMedia | undefined;
  #law: G711Law = "pcmu";
  #remote: { address: string; port: number } | undefined;
  #remoteRtcp: { address: string; port: number } | undefined;
  #latched = false;
  /**
   * The RTP socket is connect()ed to the latched source: the kernel then drops
   * strays for us and sends skip the per-packet address lookup (about half the
   * cost of a send). "connecting" queues the few packets sent meanwhile.
   */
  #connect: "no" | "connecting" | "yes" = "no";
  #connectQueue: Buffer[] = [];
  #rtcpLatched = false;
  #stats: ReceptionStats | undefined;
  #remoteReport: ReportBlock | undefined;
  #dtmfRx = new TelephoneEventReceiver();
  #dtmfPoll: TimerHandle | undefined;
  #inband: GoertzelDtmfDetector | undefined;
  #inbandPcm = new Int16Array(1024);
  #rtcpTimer: TimerHandle | undefined;
  #dtmfTx: Pacer | undefined;
  /** Settles the sendDtmf promise in flight, also when close() cuts it short. */
  #dtmfDone: (() => void) | undefined;
  #sessionVersion = 1;
  #sessionId = String(Math.floor(Math.random() * 1e12));
  #closed = false;
  #encodeBuf = new Uint8Array(1024);

  private constructor(sockets: { rtp: Socket; rtcp: Socket; port: number }, opts: RtpEndpointOptions) {
    super();
    this.#rtp = sockets.rtp;
    this.#rtcp = sockets.rtcp;
    this.port = sockets.port;
    this.#ports = opts.ports;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    const bindAddr = opts.bindAddress ?? "0.0.0.0";
    this.publicAddress =
      opts.publicAddress ?? (bindAddr === "0.0.0.0" || bindAddr === "::" ? "127.0.0.1" : bindAddr);
    this.out = new OutboundStream(randomSsrc());
    if (opts.inbandDtmf) this.#inband = new GoertzelDtmfDetector();
    this.#rtp.on("message", (msg, rinfo) => this.#onRtp(msg, rinfo));
    this.#rtcp.on("message", (msg, rinfo) => this.#onRtcp(msg, rinfo));
    // A socket error (e.g. ICMP port unreachable surfaced on some platforms) must not crash.
    this.#rtp.on("error", () => {});
    this.#rtcp.on("error", () => {});
    this.#scheduleRtcp();
  }

  static async open(opts: RtpEndpointOptions): Promise<RtpEndpoint> {
    const sockets = await bindRtpPair(opts.ports, opts.bindAddress ?? "0.0.0.0");
    return new RtpEndpoint(sockets, opts);
  }

  get closed(): boolean {
    return this.#closed;
  }
  get media(): NegotiatedMedia | undefined {
    return this.#media;
  }
  get codec(): CodecName | undefined {
    return this.#media?.codec;
  }
  /** Where we send: the latched source once a packet arrived, else the SDP address. */
  get remote(): { address: string; port: number } | undefined {
    return this.#remote;
  }

  #local(direction: Direction | undefined): LocalMedia {
    const l: LocalMedia = {
      address: this.publicAddress,
      port: this.port,
      codecs: this.#opts.codecs ?? ["PCMU", "PCMA"],
      telephoneEventPt: this.#opts.telephoneEventPt === undefined ? 101 : this.#opts.telephoneEventPt,
      sessionId: this.#sessionId,
      sessionVersion: this.#sessionVersion++,
    };
    if (direction) l.direction = direction;
    return l;
  }

  /** Our offer; a later call (e.g. with "sendonly" for hold) is a re-offer with a higher o= version. */
  createOffer(direction: Direction = "sendrecv"): string {
    this.#assertOpen();
    return buildSdp(this.#local(direction));
  }

  /** Applies the far end's answer to our last offer. */
  acceptAnswer(answerSdp: string, direction: Direction = "sendrecv"): NegotiatedMedia {
    this.#assertOpen();
    const m = acceptAnswer(answerSdp, this.#local(direction));
    this.#apply(m);
    return m;
  }

  /** Answers the far end's offer; returns our SDP. */
  createAnswer(offerSdp: string, direction: Direction = "sendrecv"): string {
    this.#assertOpen();
    const { sdp, media } = createAnswer(offerSdp, this.#local(direction));
    this.#apply(media);
    return sdp;
  }

  #apply(m: NegotiatedMedia): void {
    const codecChanged = this.#media?.codec !== m.codec;
    const addressChanged =
      this.#media?.remoteAddress !== m.remoteAddress || this.#media?.remotePort !== m.remotePort;
    this.#media = m;
    this.#law = codecLaw(m.codec);
    if (addressChanged) {
      // A new remote address in SDP (re-INVITE) re-opens latching.
      this.#remote = { address: m.remoteAddress, port: m.remotePort };
      this.#remoteRtcp = { address: m.remoteAddress, port: m.remoteRtcpPort };
      this.#latched = false;
      this.#rtcpLatched = false;
      if (this.#connect !== "no") {
        try {
          this.#rtp.disconnect();
        } catch {
          // still connecting: the connect callback sees the reset and disconnects
        }
        this.#connect = "no";
        this.#connectQueue = [];
      }
    }
    if (codecChanged) this.out.reset();
  }

  #canSend(): boolean {
    const d = this.#media?.direction;
    return !this.#closed && this.#remote !== undefined && (d === "sendrecv" || d === "sendonly");
  }

  #onRtp(msg: Buffer, rinfo: RemoteInfo): void {
    const m = this.#media;
    if (!m || this.#closed) return;
    // Symmetric RTP (RFC 4961; comedia): the first packet's source is where the
    // far end really is (behind NAT); later packets from elsewhere are strays.
    if (!this.#latched) {
      this.#latched = true;
      const remote = { address: rinfo.address, port: rinfo.port };
      this.#remote = remote;
      this.#connect = "connecting";
      this.#rtp.connect(rinfo.port, rinfo.address, () => {
        if (this.#closed) return;
        if (this.#remote !== remote || this.#connect !== "connecting") {
          // Re-negotiated to another address while connecting.
          try {
            this.#rtp.disconnect();
          } catch {
            // not connected
          }
          return;
        }
        this.#connect = "yes";
        for (const b of this.#connectQueue) this.#rtp.send(b);
        this.#connectQueue = [];
      });
      this.emit("latched", remote);
    } else if (rinfo.port !== this.#remote!.port || rinfo.address !== this.#remote!.address) {
      return;
    }
    let p: RtpPacket;
    try {
      p = parseRtp(msg);
    } catch {
      return; // malformed datagrams are dropped, not fatal
    }
    if (m.direction === "sendonly" || m.direction === "inactive") return;
    if (!this.#stats || this.#stats.ssrc !== p.ssrc) this.#stats = new ReceptionStats(p.ssrc);
    const now = this.#clock.now();
    this.#stats.update(p.sequenceNumber, p.timestamp, Math.round(now * 8));
    if (p.payloadType === m.telephoneEventPt) {
      let reports: DtmfReport[];
      try {
        reports = this.#dtmfRx.push(p.timestamp, p.payload, now);
      } catch {
        return;
      }
      for (const r of reports) this.emit("dtmf", r);
      this.#dtmfPoll?.cancel();
      this.#dtmfPoll = this.#clock.setTimer(() => {
        this.#dtmfPoll = undefined;
        for (const r of this.#dtmfRx.poll(this.#clock.now() + 1)) this.emit("dtmf", r);
      }, 900);
      return;
    }
    if (p.payloadType !== m.payloadType) return;
    if (this.#inband) {
      if (this.#inbandPcm.length < p.payload.length) this.#inbandPcm = new Int16Array(p.payload.length);
      const pcm = g711Decode(this.#law, p.payload, this.#inbandPcm).subarray(0, p.payload.length);
      for (const r of this.#inband.push(pcm)) this.emit("dtmf", r);
    }
    this.emit("rtp", p);
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    if (!this.#rtcpLatched) {
      this.#rtcpLatched = true;
      this.#remoteRtcp = { address: rinfo.address, port: rinfo.port };
    }
    let packets: ReturnType<typeof parseRtcp>;
    try {
      packets = parseRtcp(msg);
    } catch {
      return;
    }
    for (const p of packets) {
      if (p.type === RtcpType.SR || p.type === RtcpType.RR) {
        const mine = p.reports.find((r) => r.ssrc === this.out.ssrc);
        if (mine) this.#remoteReport = mine;
        if (p.type === RtcpType.SR && this.#stats?.ssrc === p.ssrc)
          this.#stats.onSenderReport(p.sender.ntpTimestamp, this.#clock.now());
      }
    }
  }

  #scheduleRtcp(): void {
    const interval = this.#opts.rtcpIntervalMs ?? 5000;
    // RFC 3550 §6.3.1: randomise the interval over [0.5, 1.5] × T so reports of many
    // endpoints started together do not synchronise.
    this.#rtcpTimer = this.#clock.setTimer(
      () => {
        this.sendRtcpReport();
        this.#scheduleRtcp();
      },
      interval * (0.5 + Math.random()),
    );
  }

  /** Sends an SR (if we sent media) or RR now. Called by the RTCP timer. */
  sendRtcpReport(): void {
    if (this.#closed || !this.#remoteRtcp || !this.#media) return;
    const now = this.#clock.now();
    const reports = this.#stats && this.#stats.received > 0 ? [this.#stats.makeReportBlock(now)] : [];
    const report =
      this.out.packetsSent > 0
        ? {
            type: RtcpType.SR,
            ssrc: this.out.ssrc,
            sender: {
              ntpTimestamp: ntpFromUnixMs(Date.now()),
              rtpTimestamp: this.out.lastTimestamp,
              packetCount: this.out.packetsSent,
              octetCount: this.out.octetsSent,
            },
            reports,
          }
        : { type: RtcpType.RR, ssrc: this.out.ssrc, reports };
    const bytes = serializeRtcp([
      report as Parameters<typeof serializeRtcp>[0][number],
      { type: RtcpType.SDES, chunks: [{ ssrc: this.out.ssrc, cname: `hotline12345-${this.port}` }] },
    ]);
    this.#rtcp.send(bytes, this.#remoteRtcp.port, this.#remoteRtcp.address);
    this.emit("stats", this.stats());
  }

  /**
   * Sends one packet whose payload is already in our codec. `source` identifies who
   * produced it (a leg, a player): a change of source re-anchors seq/timestamp.
   */
  sendEncoded(source: unknown, inSeq: number, inTs: number, payload: Uint8Array, marker = false): void {
    if (!this.#canSend() || this.#dtmfTx) return;
    this.#send(source, inSeq, inTs, this.#media!.payloadType, payload, marker);
  }

  /** Encodes a linear 16-bit frame with the negotiated codec and sends it. */
  sendPcm(source: unknown, frameIndex: number, pcm: Int16Array): void {
    if (!this.#canSend() || this.#dtmfTx) return;
    if (this.#encodeBuf.length < pcm.length) this.#encodeBuf = new Uint8Array(pcm.length);
    const payload = g711Encode(this.#law, pcm, this.#encodeBuf).subarray(0, pcm.length);
    this.#send(
      source,
      frameIndex & 0xffff,
      (frameIndex * pcm.length) >>> 0,
      this.#media!.payloadType,
      payload,
      false,
    );
  }

  #send(
    source: unknown,
    inSeq: number,
    inTs: number,
    pt: number,
    payload: Uint8Array,
    marker: boolean,
  ): void {
    const o = this.out.next(source, inSeq, inTs, this.#clock.now(), payload.length);
    // A fresh buffer per packet: dgram may hold it until the send completes.
    const buf = Buffer.allocUnsafe(12 + payload.length);
    serializeRtp(
      {
        payloadType: pt,
        marker: marker || o.marker,
        sequenceNumber: o.seq,
        timestamp: o.ts,
        ssrc: this.out.ssrc,
        payload,
      },
      buf,
    );
    if (this.#connect === "yes") this.#rtp.send(buf);
    else if (this.#connect === "connecting") {
      if (this.#connectQueue.length < 16) this.#connectQueue.push(buf);
    } else this.#rtp.send(buf, this.#remote!.port, this.#remote!.address);
  }

  /** The codec's decoder, for consumers of the `rtp` event. */
  decode(payload: Uint8Array, out?: Int16Array): Int16Array {
    return g711Decode(this.#law, payload, out);
  }
  get law(): G711Law {
    return this.#law;
  }

  /**
   * Sends one key press as RFC 4733 events (20 ms apart, end packet three times).
   * Audio from other sources is suppressed meanwhile (§2.5.1.1 allows it).
   */
  sendDtmf(key: DtmfKey, durationMs = 100): Promise<void> {
    this.#assertOpen();
    if (this.#dtmfTx)
      return Promise.reject(new MediaError(MediaErrorCode.InvalidArgument, "already sending a key"));
    if (!this.#media)
      return Promise.reject(new MediaError(MediaErrorCode.InvalidArgument, "no media negotiated"));
    const pt = this.#media.telephoneEventPt;
    if (pt === undefined) return this.#sendInbandDtmf(key, durationMs);
    const packets = telephoneEventPackets(key, durationMs);
    const source = {};
    const seq0 = (Math.random() * 0xffff) | 0;
    return new Promise((resolve) => {
      this.#dtmfDone = resolve;
      this.#dtmfTx = new Pacer(this.#clock, 20, (k) => {
        const p = packets[k];
        if (p && this.#canSend()) this.#send(source, (seq0 + k) & 0xffff, 0, pt, p.payload, p.marker);
        if (k + 1 >= packets.length || this.#closed) {
          this.#dtmfTx?.stop();
          this.#dtmfTx = undefined;
          this.#dtmfDone = undefined;
          this.out.reset();
          resolve();
        }
      });
    });
  }

  /** Without telephone-event (an old trunk), the key is sent as a tone pair in the audio. */
  #sendInbandDtmf(key: DtmfKey, durationMs: number): Promise<void> {
    const tone = dtmfTone(key, durationMs, 8000);
    // Then 60 ms of silence: the pause that ends a press for a tone detector (Q.24
    // wants at least 40 ms between digits).
    const frames = Math.ceil(tone.length / 160) + 3;
    const source = {};
    const frame = new Int16Array(160);
    const payload = new Uint8Array(160);
    return new Promise((resolve) => {
      this.#dtmfDone = resolve;
      this.#dtmfTx = new Pacer(this.#clock, 20, (k) => {
        frame.fill(0);
        frame.set(tone.subarray(k * 160, k * 160 + 160));
        if (this.#canSend())
          this.#send(
            source,
            k,
            k * 160,
            this.#media!.payloadType,
            g711Encode(this.#law, frame, payload),
            false,
          );
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

  stats(): EndpointStats {
    const s = this.#stats;
    const r = this.#remoteReport;
    return {
      packetsReceived: s?.received ?? 0,
      packetsLost: s ? Math.max(0, s.lost) : 0,
      fractionLost: s && s.expected > 0 ? Math.max(0, s.lost) / s.expected : 0,
      jitterMs: (s?.jitter ?? 0) / 8,
      packetsSent: this.out.packetsSent,
      octetsSent: this.out.octetsSent,
      remote: r
        ? { fractionLost: r.fractionLost / 256, packetsLost: r.cumulativeLost, jitterMs: r.jitter / 8 }
        : undefined,
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError(MediaErrorCode.Closed, "RTP endpoint is closed");
  }

  /** Idempotent: stops timers, sends RTCP BYE, closes both sockets, frees the port. */
  async close(): Promise<void> {
    if (this.#closed || this.#closing) return this.#closing;
    this.#closing = this.#doClose();
    return this.#closing;
  }

  #closing: Promise<void> | undefined;

  async #doClose(): Promise<void> {
    if (this.#remoteRtcp && this.#media) {
      // §6.6: BYE tells the far end this source is leaving. Wait for the send so
      // closing the socket does not race it.
      const bye = serializeRtcp([
        { type: RtcpType.RR, ssrc: this.out.ssrc, reports: [] },
        { type: RtcpType.BYE, ssrcs: [this.out.ssrc] },
      ]);
      const to = this.#remoteRtcp;
      await new Promise<void>((resolve) => {
        try {
          this.#rtcp.send(bye, to.port, to.address, () => resolve());
        } catch {
          resolve();
        }
      });
    }
    this.#closed = true;
    this.#rtcpTimer?.cancel();
    this.#dtmfPoll?.cancel();
    this.#dtmfTx?.stop();
    this.#dtmfTx = undefined;
    this.#dtmfDone?.();
    this.#dtmfDone = undefined;
    this.#inband = undefined;
    await Promise.all([closeQuietly(this.#rtp), closeQuietly(this.#rtcp)]);
    this.#ports.release(this.port);
    this.emit("close");
    this.removeAllListeners();
  }
}
