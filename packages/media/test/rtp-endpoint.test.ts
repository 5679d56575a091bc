import { afterEach, describe, expect, it } from "vitest";
import type { DtmfReport } from "../src/dtmf.js";
import { MediaErrorCode } from "../src/errors.js";
import { PortAllocator } from "../src/port-allocator.js";
import { parseRtcp, RtcpType } from "../src/rtcp.js";
import { serializeRtp } from "../src/rtp.js";
import { RtpEndpoint } from "../src/rtp-endpoint.js";
import { rms, sine, udpPeer, waitFor } from "./helpers.js";

// A range of its own per file keeps parallel test files from competing; bind
// failures (EADDRINUSE from anything else) are skipped by the endpoint anyway.
const ports = new PortAllocator(41000, 41999);
const opened: { close: () => Promise<void> }[] = [];
async function endpoint(extra: Partial<Parameters<typeof RtpEndpoint.open>[0]> = {}): Promise<RtpEndpoint> {
  const e = await RtpEndpoint.open({ ports, bindAddress: "127.0.0.1", rtcpIntervalMs: 200, ...extra });
  opened.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
  expect(ports.inUse).toBe(0);
});

describe("RtpEndpoint over real UDP", () => {
  it("negotiates and carries PCMU audio both ways", async () => {
    const a = await endpoint();
    const b = await endpoint({ codecs: ["PCMU"] });
    b.acceptAnswer(a.createAnswer(b.createOffer()));
    expect(a.codec).toBe("PCMU");
    const gotA: Int16Array[] = [];
    const gotB: Int16Array[] = [];
    a.on("rtp", (p) => gotA.push(a.decode(p.payload)));
    b.on("rtp", (p) => gotB.push(b.decode(p.payload)));
    const src = {};
    for (let k = 0; k < 10; k++) {
      a.sendPcm(src, k, sine(440, 160, 8000, k * 160));
      b.sendPcm(src, k, sine(440, 160, 8000, k * 160));
    }
    await waitFor(() => gotA.length === 10 && gotB.length === 10, 3000, "10 packets each way");
    expect(rms(gotB[3]!)).toBeGreaterThan(5000);
    expect(a.stats().packetsReceived).toBe(10);
    expect(a.stats().packetsSent).toBe(10);
  });

  it("latches onto the first packet's source (symmetric RTP) and ignores strays afterwards", async () => {
    const ep = await endpoint();
    const natted = await udpPeer();
    const stray = await udpPeer();
    opened.push(natted, stray);
    // The SDP claims a port nobody listens on; the phone really sends from `natted`.
    ep.createAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n`,
    );
    const latched: unknown[] = [];
    ep.on("latched", (r) => latched.push(r));
    let got = 0;
    ep.on("rtp", () => got++);
    const pkt = (seq: number) =>
      serializeRtp({
        payloadType: 0,
        marker: false,
        sequenceNumber: seq,
        timestamp: seq * 160,
        ssrc: 5,
        payload: new Uint8Array(160),
      });
    natted.socket.send(pkt(1), ep.port, "127.0.0.1");
    await waitFor(() => got === 1);
    stray.socket.send(pkt(2), ep.port, "127.0.0.1");
    natted.socket.send(pkt(3), ep.port, "127.0.0.1");
    await waitFor(() => got === 2);
    expect(latched).toEqual([{ address: "127.0.0.1", port: natted.port }]);
    ep.sendPcm({}, 0, new Int16Array(160));
    await waitFor(() => natted.received.length === 1, 2000, "reply to the latched address");
    expect(stray.received.length).toBe(0);
  });

  it("RFC 4733 DTMF both ways: one report per press, right key and duration", async () => {
    const a = await endpoint();
    const b = await endpoint();
    b.acceptAnswer(a.createAnswer(b.createOffer()));
    const atA: DtmfReport[] = [];
    const atB: DtmfReport[] = [];
    a.on("dtmf", (r) => atA.push(r));
    b.on("dtmf", (r) => atB.push(r));
    await b.sendDtmf("7", 120);
    await a.sendDtmf("#", 80);
    await waitFor(() => atA.length === 1 && atB.length === 1, 3000, "dtmf reports");
    expect(atA[0]).toMatchObject({ key: "7", durationMs: 120, source: "rfc4733", endSeen: true });
    expect(atB[0]).toMatchObject({ key: "#", durationMs: 80 });
  });

  it("without telephone-event, DTMF is sent in-band and detected by the Goertzel detector", async () => {
    const a = await endpoint();
    const b = await endpoint({ telephoneEventPt: null, inbandDtmf: true });
    b.acceptAnswer(a.createAnswer(b.createOffer()));
    expect(a.media?.telephoneEventPt).toBeUndefined();
    const atB: DtmfReport[] = [];
    b.on("dtmf", (r) => atB.push(r));
    await a.sendDtmf("9", 160);
    await waitFor(() => atB.length === 1, 3000, "in-band key");
    expect(atB[0]).toMatchObject({ key: "9", source: "inband" });
    expect(atB[0]!.durationMs).toBeGreaterThanOrEqual(120);
    // A key in flight when the endpoint closes still settles.
    const pending = a.sendDtmf("1", 2000);
    await a.close();
    await expect(pending).resolves.toBeUndefined();
  });

  it("reports loss and jitter from received RTP and sends RTCP SR with a report block", async () => {
    const ep = await endpoint();
    const peer = await udpPeer();
    opened.push(peer);
    ep.createAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${peer.port} RTP/AVP 0\r\na=rtcp:${peer.port}\r\n`,
    );
    let got = 0;
    ep.on("rtp", () => got++);
    for (let seq = 100; seq < 150; seq++) {
      if (seq % 10 === 3) continue; // 5 of 50 lost
      peer.socket.send(
        serializeRtp({
          payloadType: 0,
          marker: false,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc: 77,
          payload: new Uint8Array(160),
        }),
        ep.port,
        "127.0.0.1",
      );
    }
    await waitFor(() => got === 45);
    const s = ep.stats();
    expect(s.packetsReceived).toBe(45);
    expect(s.packetsLost).toBe(5);
    expect(s.fractionLost).toBeCloseTo(0.1, 5);
    // All sent at once: arrival spacing 0 vs 20 ms of timestamps → jitter well above 0.
    expect(s.jitterMs).toBeGreaterThan(5);
    ep.sendPcm({}, 0, new Int16Array(160));
    // RTCP goes to a=rtcp (same socket here); wait for an SR carrying our block about SSRC 77.
    await waitFor(
      () =>
        peer.received.some((m) => {
          if (m[1] !== RtcpType.SR && m[1] !== RtcpType.RR) return false;
          const parts = parseRtcp(m);
          return parts.some(
            (p) => p.type === RtcpType.SR && p.reports[0]?.ssrc === 77 && p.reports[0].cumulativeLost === 5,
          );
        }),
      3000,
      "an SR with loss 5",
    );
  });

  it("hold: a sendonly re-offer answered recvonly stops our sending; inactive stops receiving", async () => {
    const a = await endpoint();
    const b = await endpoint();
    b.acceptAnswer(a.createAnswer(b.createOffer()));
    // a puts b on hold: a sends only.
    const hold = a.createOffer("sendonly");
    b.createAnswer(hold);
    expect(b.media?.direction).toBe("recvonly");
    const beforeA = a.stats().packetsReceived;
    b.sendPcm({}, 0, new Int16Array(160));
    let atB = 0;
    b.on("rtp", () => atB++);
    a.sendPcm({}, 0, new Int16Array(160));
    await waitFor(() => atB === 1);
    expect(b.stats().packetsSent).toBe(0);
    expect(a.stats().packetsReceived).toBe(beforeA);
  });

  it("close is idempotent, frees the port, rejects later use with CLOSED", async () => {
    const ep = await endpoint();
    const port = ep.port;
    expect(ports.isInUse(port)).toBe(true);
    let closes = 0;
    ep.on("close", () => closes++);
    await Promise.all([ep.close(), ep.close()]);
    await ep.close();
    expect(closes).toBe(1);
    expect(ports.isInUse(port)).toBe(false);
    expect(() => ep.createOffer()).toThrowError(expect.objectContaining({ code: MediaErrorCode.Closed }));
    // The port really is free again: bind it ourselves.
    const { createSocket } = await import("node:dgram");
    const s = createSocket("udp4");
    await new Promise<void>((r, j) => {
      s.once("error", j);
      s.bind(port, "127.0.0.1", () => r());
    });
    await new Promise<void>((r) => s.close(() => r()));
  });
});
