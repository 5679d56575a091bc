import { describe, expect, it } from "vitest";
import { ntpFromUnixMs, parseRtcp, ReceptionStats, RtcpType, serializeRtcp } from "./rtcp.js";

describe("RTCP SR/RR (RFC 3550 §6.4)", () => {
  it("round-trips a compound SR + SDES + BYE", () => {
    const block = {
      ssrc: 42,
      fractionLost: 25,
      cumulativeLost: -3,
      extendedHighestSeq: 70000,
      jitter: 12,
      lastSr: 0x12345678,
      delaySinceLastSr: 65536,
    };
    const bytes = serializeRtcp([
      {
        type: RtcpType.SR,
        ssrc: 7,
        sender: {
          ntpTimestamp: ntpFromUnixMs(1_700_000_000_500),
          rtpTimestamp: 160,
          packetCount: 3,
          octetCount: 480,
        },
        reports: [block],
      },
      { type: RtcpType.SDES, chunks: [{ ssrc: 7, cname: "media@hotline" }] },
      { type: RtcpType.BYE, ssrcs: [7] },
    ]);
    expect(bytes.length % 4).toBe(0);
    const parts = parseRtcp(bytes);
    expect(parts.map((p) => p.type)).toEqual([200, 202, 203]);
    const sr = parts[0]!;
    if (sr.type !== RtcpType.SR) throw new Error("not SR");
    expect(sr.ssrc).toBe(7);
    expect(sr.sender.packetCount).toBe(3);
    expect(sr.sender.ntpTimestamp >> 32n).toBe(1_700_000_000n + 2208988800n);
    expect(sr.reports[0]).toEqual(block);
    const sdes = parts[1]!;
    if (sdes.type !== RtcpType.SDES) throw new Error("not SDES");
    expect(sdes.chunks[0]).toEqual({ ssrc: 7, cname: "media@hotline" });
  });

  it("round-trips an RR with no blocks", () => {
    const parts = parseRtcp(serializeRtcp([{ type: RtcpType.RR, ssrc: 9, reports: [] }]));
    expect(parts).toEqual([{ type: RtcpType.RR, ssrc: 9, reports: [] }]);
  });
});

describe("reception statistics (§6.4.1, A.1, A.3, A.8)", () => {
  it("counts loss and fraction lost per interval, across the sequence wrap", () => {
    const s = new ReceptionStats(1);
    let ts = 0;
    // 100 packets from seq 65500, every 10th lost: crosses the 16-bit wrap.
    for (let i = 0; i < 100; i++) {
      const seq = (65500 + i) & 0xffff;
      ts += 160;
      if (i % 10 === 5) continue;
      s.update(seq, ts, ts);
    }
    expect(s.expected).toBe(100);
    expect(s.received).toBe(90);
    expect(s.lost).toBe(10);
    expect(s.extendedHighestSeq).toBe(65536 + ((65500 + 99) & 0xffff));
    const block = s.makeReportBlock(0);
    expect(block.fractionLost).toBe(Math.floor((10 * 256) / 100));
    expect(block.cumulativeLost).toBe(10);
    // Next interval without loss reports fraction 0 but keeps the cumulative count.
    for (let i = 100; i < 150; i++) {
      ts += 160;
      s.update((65500 + i) & 0xffff, ts, ts);
    }
    const b2 = s.makeReportBlock(0);
    expect(b2.fractionLost).toBe(0);
    expect(b2.cumulativeLost).toBe(10);
  });

  it("duplicates make cumulative loss smaller, not the sequence go backwards", () => {
    const s = new ReceptionStats(1);
    for (let i = 0; i < 10; i++) s.update(i, i * 160, i * 160);
    s.update(5, 800, 2000);
    expect(s.lost).toBe(-1);
    expect(s.extendedHighestSeq).toBe(9);
  });

  it("jitter is zero for a perfectly paced stream and converges to the spread (A.8)", () => {
    const s = new ReceptionStats(1);
    for (let i = 0; i < 200; i++) s.update(i, i * 160, i * 160 + 1000);
    expect(s.jitter).toBe(0);
    const j = new ReceptionStats(2);
    // Arrivals alternate ±40 timestamp units (±5 ms): |D| = 80 each packet; J → 80.
    for (let i = 0; i < 2000; i++) j.update(i, i * 160, i * 160 + (i % 2 === 0 ? 40 : -40));
    expect(j.jitter).toBeGreaterThanOrEqual(76);
    expect(j.jitter).toBeLessThanOrEqual(80);
  });

  it("re-syncs after two sequential packets of a large jump (A.1), ignores one stray", () => {
    const s = new ReceptionStats(1);
    for (let i = 0; i < 10; i++) s.update(i, i, i);
    expect(s.update(40000, 0, 0)).toBe(false);
    expect(s.received).toBe(10);
    expect(s.update(20000, 0, 0)).toBe(false);
    s.update(20001, 0, 0);
    expect(s.received).toBe(1);
    expect(s.lost).toBe(0);
  });
});
