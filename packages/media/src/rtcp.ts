import { MediaError, MediaErrorCode } from "./errors.js";

/**
 * RTCP sender and receiver reports (RFC 3550 §6.4) and the reception statistics
 * behind them (§6.4.1, Appendix A.1, A.3, A.8).
 */

export const RtcpType = { SR: 200, RR: 201, SDES: 202, BYE: 203 } as const;

/**
 * Report block, §6.4.1:
 *
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *  |                 SSRC_1 (SSRC of first source)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | fraction lost |       cumulative number of packets lost       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           extended highest sequence number received           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      interarrival jitter                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         last SR (LSR)                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   delay since last SR (DLSR)                  |
 *  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as a fixed-point number /256. */
  fractionLost: number;
  /** Cumulative lost, 24-bit signed (§6.4.1: may be negative with duplicates). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  lastSr: number;
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export type RtcpPacket =
  | { type: typeof RtcpType.SR; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: typeof RtcpType.RR; ssrc: number; reports: ReportBlock[] }
  | { type: typeof RtcpType.SDES; chunks: { ssrc: number; cname?: string }[] }
  | { type: typeof RtcpType.BYE; ssrcs: number[] }
  | { type: "other"; packetType: number };

function malformed(why: string): MediaError {
  return new MediaError(MediaErrorCode.Malformed, `RTCP: ${why}`);
}

function readBlock(view: DataView, o: number): ReportBlock {
  const word = view.getUint32(o + 4);
  let lost = word & 0xffffff;
  if (lost & 0x800000) lost -= 0x1000000; // 24-bit two's complement
  return {
    ssrc: view.getUint32(o),
    fractionLost: word >>> 24,
    cumulativeLost: lost,
    extendedHighestSeq: view.getUint32(o + 8),
    jitter: view.getUint32(o + 12),
    lastSr: view.getUint32(o + 16),
    delaySinceLastSr: view.getUint32(o + 20),
  };
}

/** Parses a compound RTCP packet (§6.1) into its parts. */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RtcpPacket[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    const b0 = buf[o]!;
    if (b0 >> 6 !== 2) throw malformed(`version ${b0 >> 6}`);
    const count = b0 & 0x1f;
    const pt = buf[o + 1]!;
    // §6.4.1 "length: ... the length of this RTCP packet in 32-bit words minus one"
    const len = (view.getUint16(o + 2) + 1) * 4;
    if (o + len > buf.length) throw malformed("length runs past the datagram");
    const end = o + len;
    if (pt === RtcpType.SR) {
      if (len < 28 + count * 24) throw malformed("SR too short");
      const sender: SenderInfo = {
        ntpTimestamp: view.getBigUint64(o + 8),
        rtpTimestamp: view.getUint32(o + 16),
        packetCount: view.getUint32(o + 20),
        octetCount: view.getUint32(o + 24),
      };
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readBlock(view, o + 28 + i * 24));
      out.push({ type: RtcpType.SR, ssrc: view.getUint32(o + 4), sender, reports });
    } else if (pt === RtcpType.RR) {
      if (len < 8 + count * 24) throw malformed("RR too short");
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readBlock(view, o + 8 + i * 24));
      out.push({ type: RtcpType.RR, ssrc: view.getUint32(o + 4), reports });
    } else if (pt === RtcpType.SDES) {
      const chunks: { ssrc: number; cname?: string }[] = [];
      let p = o + 4;
      for (let i = 0; i < count && p + 4 <= end; i++) {
        const chunk: { ssrc: number; cname?: string } = { ssrc: view.getUint32(p) };
        p += 4;
        while (p < end && buf[p] !== 0) {
          const itemType = buf[p]!;
          const itemLen = buf[p + 1] ?? 0;
          if (itemType === 1) chunk.cname = new TextDecoder().decode(buf.subarray(p + 2, p + 2 + itemLen));
          p += 2 + itemLen;
        }
        p = (p + 4) & ~3; // null terminator, then pad to a 32-bit boundary (§6.5)
        chunks.push(chunk);
      }
      out.push({ type: RtcpType.SDES, chunks });
    } else if (pt === RtcpType.BYE) {
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(view.getUint32(o + 4 + i * 4));
      out.push({ type: RtcpType.BYE, ssrcs });
    } else {
      out.push({ type: "other", packetType: pt });
    }
    o = end;
  }
  return out;
}

function writeBlock(view: DataView, o: number, r: ReportBlock): void {
  view.setUint32(o, r.ssrc >>> 0);
  view.setUint32(o + 4, ((r.fractionLost & 0xff) << 24) | (r.cumulativeLost & 0xffffff));
  view.setUint32(o + 8, r.extendedHighestSeq >>> 0);
  view.setUint32(o + 12, r.jitter >>> 0);
  view.setUint32(o + 16, r.lastSr >>> 0);
  view.setUint32(o + 20, r.delaySinceLastSr >>> 0);
}

/** Serialises SR/RR/SDES/BYE; pass several to build a compound packet (§6.1). */
export function serializeRtcp(packets: RtcpPacket[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const p of packets) {
    let buf: Uint8Array;
    if (p.type === RtcpType.SR || p.type === RtcpType.RR) {
      const head = p.type === RtcpType.SR ? 28 : 8;
      buf = new Uint8Array(head + p.reports.length * 24);
      const view = new DataView(buf.buffer);
      buf[0] = 0x80 | p.reports.length;
      buf[1] = p.type;
      view.setUint16(2, buf.length / 4 - 1);
      view.setUint32(4, p.ssrc >>> 0);
      if (p.type === RtcpType.SR) {
        view.setBigUint64(8, p.sender.ntpTimestamp);
        view.setUint32(16, p.sender.rtpTimestamp >>> 0);
        view.setUint32(20, p.sender.packetCount >>> 0);
        view.setUint32(24, p.sender.octetCount >>> 0);
      }
      for (let i = 0; i < p.reports.length; i++) writeBlock(view, head + i * 24, p.reports[i]!);
    } else if (p.type === RtcpType.SDES) {
      const enc = new TextEncoder();
      const chunks = p.chunks.map((c) => {
        const name = enc.encode(c.cname ?? "");
        const len = (4 + 2 + name.length + 1 + 3) & ~3;
        const chunk = new Uint8Array(len);
        new DataView(chunk.buffer).setUint32(0, c.ssrc >>> 0);
        chunk[4] = 1; // CNAME
        chunk[5] = name.length;
        chunk.set(name, 6);
        return chunk;
      });
      const body = chunks.reduce((n, c) => n + c.length, 0);
      buf = new Uint8Array(4 + body);
      buf[0] = 0x80 | p.chunks.length;
      buf[1] = RtcpType.SDES;
      new DataView(buf.buffer).setUint16(2, buf.length / 4 - 1);
      let o = 4;
      for (const c of chunks) {
        buf.set(c, o);
        o += c.length;
      }
    } else if (p.type === RtcpType.BYE) {
      buf = new Uint8Array(4 + p.ssrcs.length * 4);
      const view = new DataView(buf.buffer);
      buf[0] = 0x80 | p.ssrcs.length;
      buf[1] = RtcpType.BYE;
      view.setUint16(2, buf.length / 4 - 1);
      for (let i = 0; i < p.ssrcs.length; i++) view.setUint32(4 + i * 4, p.ssrcs[i]! >>> 0);
    } else {
      throw new MediaError(MediaErrorCode.InvalidArgument, "RTCP: cannot serialise an unknown packet");
    }
    parts.push(buf);
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * Per-source reception statistics, Appendix A.1 (sequence tracking), A.3
 * (expected and lost) and A.8 (interarrival jitter). Pure: arrival times are
 * passed in, in the RTP clock's units.
 */
export class ReceptionStats {
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #transit = 0;
  #jitter = 0; // J scaled by 16 as in A.8
  #initialised = false;
  #lastSrNtpMiddle = 0;
  #lastSrArrivalMs = 0;

  constructor(readonly ssrc: number) {}

  /**
   * Records one packet. `arrival` is the arrival time converted to RTP timestamp
   * units (ms × clockRate / 1000). Returns false when the packet was judged a
   * stray (A.1: a large jump not yet confirmed by a second packet).
   */
  update(seq: number, rtpTimestamp: number, arrival: number): boolean {
    if (!this.#initialised) {
      this.#initialised = true;
      this.#init(seq);
      this.#maxSeq = seq - 1;
      this.#received = 0;
    }
    // A.1: udelta = seq - max_seq, modulo 2^16
    const udelta = (seq - this.#maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      // "in order, with permissible gap"
      if (seq < this.#maxSeq && udelta !== 0) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // "the sequence number made a very large jump"
      if (seq === this.#badSeq) {
        // "Two sequential packets -- assume that the other side restarted without
        // telling us so just re-sync"
        this.#init(seq);
      } else {
        this.#badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    }
    // else: "duplicate or reordered packet" — counted, not moving max_seq.
    this.#received++;

    // A.8: transit = arrival - r->ts; d = transit - s->transit; s->jitter += d - ((s->jitter + 8) >> 4)
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.#received > 1) {
      let d = (transit - this.#transit) | 0;
      if (d < 0) d = -d;
      this.#jitter += d - ((this.#jitter + 8) >> 4);
    }
    this.#transit = transit;
    return true;
  }

  #init(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  get received(): number {
    return this.#received;
  }
  get extendedHighestSeq(): number {
    return (this.#cycles + this.#maxSeq) >>> 0;
  }
  /** A.3: expected = extended_max - base_seq + 1 */
  get expected(): number {
    if (this.#received === 0) return 0;
    return this.#cycles + this.#maxSeq - this.#baseSeq + 1;
  }
  /** A.3: lost = expected - received (clamped to 24 bits signed by the report). */
  get lost(): number {
    return this.expected - this.#received;
  }
  /** Interarrival jitter in RTP timestamp units (A.8: "jitter >> 4"). */
  get jitter(): number {
    return this.#jitter >> 4;
  }

  /** Remembers an SR from this source for LSR/DLSR (§6.4.1). */
  onSenderReport(ntp: bigint, arrivalMs: number): void {
    this.#lastSrNtpMiddle = Number((ntp >> 16n) & 0xffffffffn);
    this.#lastSrArrivalMs = arrivalMs;
  }

  /** Builds a report block and starts a new reporting interval (A.3 fraction). */
  makeReportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    // A.3: "if (expected_interval == 0 || lost_interval <= 0) fraction = 0;
    //       else fraction = (lost_interval << 8) / expected_interval;"
    const fraction =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, this.lost));
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fraction),
      cumulativeLost: lost,
      extendedHighestSeq: this.extendedHighestSeq,
      jitter: this.jitter,
      lastSr: this.#lastSrNtpMiddle,
      // DLSR in units of 1/65536 s
      delaySinceLastSr:
        this.#lastSrNtpMiddle === 0 ? 0 : Math.round(((nowMs - this.#lastSrArrivalMs) / 1000) * 65536),
    };
  }
}

/** 64-bit NTP timestamp (§4) for a wall-clock time in ms since the Unix epoch. */
export function ntpFromUnixMs(ms: number): bigint {
  const NTP_EPOCH_OFFSET = 2208988800;
  const secs = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET;
  const frac = Math.floor(((ms % 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(secs) << 32n) | BigInt(frac);
}
