import { afterEach, describe, expect, it } from "vitest";
import { Bridge } from "../src/bridge.js";
import { g711Decode, g711Encode } from "../src/g711.js";
import { Player } from "../src/player.js";
import { PortAllocator } from "../src/port-allocator.js";
import { parseRtp, type RtpPacket, serializeRtp } from "../src/rtp.js";
import { RtpEndpoint } from "../src/rtp-endpoint.js";
import { sine, toneShare, udpPeer, waitFor } from "./helpers.js";

const ports = new PortAllocator(42000, 42999);
const opened: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
  expect(ports.inUse).toBe(0);
});

/** A far-end phone: a UDP socket that answers our offer with `codec`. */
async function phone(codec: "PCMU" | "PCMA") {
  const peer = await udpPeer();
  opened.push(peer);
  const ep = await RtpEndpoint.open({ ports, bindAddress: "127.0.0.1" });
  opened.push(ep);
  ep.createOffer();
  const pt = codec === "PCMU" ? 0 : 8;
  ep.acceptAnswer(
    `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${peer.port} RTP/AVP ${pt} 101\r\na=rtpmap:101 telephone-event/8000\r\n`,
  );
  const rtp = (): RtpPacket[] => peer.received.filter((m) => m[1]! < 200).map((m) => parseRtp(m));
  const send = (seq: number, payload: Uint8Array, ssrc = 0x1234) =>
    peer.socket.send(
      serializeRtp({
        payloadType: pt,
        marker: false,
        sequenceNumber: seq,
        timestamp: seq * 160,
        ssrc,
        payload,
      }),
      ep.port,
      "127.0.0.1",
    );
  return { ep, peer, rtp, send };
}

describe("Bridge", () => {
  it("relays same-codec packets with payload untouched and SSRC/seq/ts rewritten", async () => {
    const caller = await phone("PCMU");
    const agent = await phone("PCMU");
    const bridge = new Bridge(caller.ep, agent.ep);
    const tone = g711Encode("pcmu", sine(1000, 160, 10000));
    for (let s = 1; s <= 20; s++) caller.send(s, tone);
    await waitFor(() => agent.rtp().length === 20, 3000, "20 relayed packets");
    const got = agent.rtp();
    expect(new Set(got.map((p) => p.ssrc))).toEqual(new Set([agent.ep.out.ssrc]));
    expect(got[0]!.ssrc).not.toBe(0x1234);
    expect([...got[5]!.payload]).toEqual([...tone]);
    bridge.close();
    bridge.close();
    caller.send(21, tone);
    agent.send(1, tone);
    await waitFor(() => caller.ep.stats().packetsReceived === 21);
    expect(agent.rtp().length).toBe(20);
  });

  it("transcodes PCMU → PCMA and back, keeping the tone", async () => {
    const caller = await phone("PCMU");
    const agent = await phone("PCMA");
    new Bridge(caller.ep, agent.ep);
    for (let s = 1; s <= 10; s++) caller.send(s, g711Encode("pcmu", sine(1000, 160, 10000, s * 160)));
    for (let s = 1; s <= 10; s++) agent.send(s, g711Encode("pcma", sine(600, 160, 10000, s * 160)));
    await waitFor(() => agent.rtp().length === 10 && caller.rtp().length === 10, 3000);
    const atAgent = g711Decode("pcma", agent.rtp()[4]!.payload);
    expect(agent.rtp()[4]!.payloadType).toBe(8);
    expect(toneShare(atAgent, 1000)).toBeGreaterThan(0.9);
    const atCaller = g711Decode("pcmu", caller.rtp()[4]!.payload);
    expect(caller.rtp()[4]!.payloadType).toBe(0);
    expect(toneShare(atCaller, 600)).toBeGreaterThan(0.9);
  });

  it("transcoding conceals lost packets: the far end sees a gap-free stream, the fill at −6 dB", async () => {
    const caller = await phone("PCMU");
    const agent = await phone("PCMA");
    new Bridge(caller.ep, agent.ep);
    const frame = (s: number) => g711Encode("pcmu", sine(1000, 160, 8000, s * 160));
    // 12 and 13 lost; 11 arrives late, after 14: 11–13 are concealed, the late 11 dropped.
    for (const s of [8, 9, 10, 14, 11, 15, 16]) caller.send(s, frame(s));
    await waitFor(() => agent.rtp().length >= 9, 3000, "packets at the agent");
    const got = agent.rtp();
    const seqs = got.map((p) => p.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    expect(got).toHaveLength(9); // 8, 9, 10, three fills, 14, 15, 16
    const level = (p: RtpPacket) =>
      Math.sqrt(g711Decode("pcma", p.payload).reduce((a, v) => a + v * v, 0) / 160);
    // 10 real, then fills at half, quarter and eighth amplitude, then 14 real again.
    expect(level(got[3]!) / level(got[2]!)).toBeCloseTo(0.5, 1);
    expect(level(got[4]!) / level(got[2]!)).toBeCloseTo(0.25, 1);
    expect(level(got[5]!) / level(got[2]!)).toBeCloseTo(0.125, 1);
    expect(level(got[6]!) / level(got[2]!)).toBeCloseTo(1, 1);
  });

  it("hold music → agent → survey prompt: the caller sees one continuous stream", async () => {
    const caller = await phone("PCMU");
    const agent = await phone("PCMU");
    const moh = new Player(caller.ep, [sine(400, 8000, 6000)], { loop: true });
    await waitFor(() => caller.rtp().length >= 5, 3000, "music on hold");
    moh.stop();
    const bridge = new Bridge(caller.ep, agent.ep);
    // The agent's phone uses a wildly different seq/ts/SSRC space.
    for (let s = 0; s < 5; s++) agent.send(40000 + s, g711Encode("pcmu", sine(800, 160, 6000)), 0xabcdef);
    await waitFor(() => caller.rtp().length >= moh.frames + 5, 3000, "agent audio");
    bridge.close();
    const survey = new Player(caller.ep, [sine(500, 800, 6000)]);
    await survey.done;
    await waitFor(() => caller.rtp().length >= moh.frames + 10, 3000, "survey prompt");
    const got = caller.rtp();
    expect(new Set(got.map((p) => p.ssrc)).size).toBe(1);
    for (let i = 1; i < got.length; i++) {
      expect((got[i]!.sequenceNumber - got[i - 1]!.sequenceNumber) & 0xffff, `seq at ${i}`).toBe(1);
      const dts = (got[i]!.timestamp - got[i - 1]!.timestamp) >>> 0;
      expect(dts, `timestamp step at ${i}`).toBeGreaterThanOrEqual(160);
      expect(dts).toBeLessThan(8000 * 5);
    }
    // Marker bit exactly where the source changed (start, agent, survey).
    const markers = got.flatMap((p, i) => (p.marker ? [i] : []));
    expect(markers).toEqual([0, moh.frames, moh.frames + 5]);
  });
});
