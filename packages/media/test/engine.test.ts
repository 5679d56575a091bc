import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket as WeriftRtpPacket } from "werift";
import { WebSocketServer } from "ws";
import { type EndpointHandle, MediaEngine } from "../src/engine.js";
import { MediaErrorCode } from "../src/errors.js";
import { g711Decode, g711Encode } from "../src/g711.js";
import { parseRtp, serializeRtp } from "../src/rtp.js";
import { encodeWav, parseWav, wavSamples } from "../src/wav.js";
import { sine, toneShare, udpPeer, waitFor } from "./helpers.js";

let engine: MediaEngine;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "media-engine-"));
  engine = await MediaEngine.start({
    workers: 2,
    portMin: 44000,
    portMax: 44999,
    bindAddress: "127.0.0.1",
    iceExtraHostAddresses: ["127.0.0.1"],
    rtcpIntervalMs: 300,
  });
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function phoneFor(ep: EndpointHandle) {
  const peer = await udpPeer();
  await ep.createOffer();
  await ep.acceptAnswer(
    `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${peer.port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n`,
  );
  let seq = 0;
  const send = (payload: Uint8Array, pt = 0, timestamp = seq * 160) =>
    peer.socket.send(
      serializeRtp({ payloadType: pt, marker: false, sequenceNumber: seq++, timestamp, ssrc: 99, payload }),
      ep.port,
      "127.0.0.1",
    );
  const rtp = () => peer.received.filter((m) => m[1]! < 200).map((m) => parseRtp(m));
  return { peer, send, rtp };
}

describe("MediaEngine (worker threads)", () => {
  it("spreads endpoints over both workers; a group stays on one worker", async () => {
    const loose = await Promise.all([engine.createRtpEndpoint(), engine.createRtpEndpoint()]);
    expect(new Set(loose.map((e) => e.slot))).toHaveProperty("size", 2);
    const call = await Promise.all([1, 2, 3].map(() => engine.createRtpEndpoint({ group: "call-1" })));
    expect(new Set(call.map((e) => e.slot))).toHaveProperty("size", 1);
    // Ports come from each worker's own share of the range.
    const [w0, w1] = loose.map((e) => e.port).sort();
    expect(w0).toBeLessThan(44500);
    expect(w1).toBeGreaterThanOrEqual(44500);
    await Promise.all([...loose, ...call].map((e) => e.close()));
  });

  it("bridges endpoints that live on different workers (PCMU ⇄ PCMA, DTMF too)", async () => {
    const a = await engine.createRtpEndpoint();
    const b = await engine.createRtpEndpoint({ codecs: ["PCMA"] });
    expect(a.slot).not.toBe(b.slot);
    const pa = await phoneFor(a);
    // b's phone speaks PCMA.
    const pb = await udpPeer();
    await b.createOffer();
    await b.acceptAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${pb.port} RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n`,
    );
    const bridge = await engine.bridge(a, b);
    const heardB = () => pb.received.filter((m) => m[1]! < 200).map((m) => parseRtp(m));
    let k = 0;
    const timer = setInterval(() => {
      pa.send(g711Encode("pcmu", sine(1000, 160, 9000, k * 160)));
      pb.socket.send(
        serializeRtp({
          payloadType: 8,
          marker: false,
          sequenceNumber: k,
          timestamp: k * 160,
          ssrc: 8,
          payload: g711Encode("pcma", sine(600, 160, 9000, k * 160)),
        }),
        b.port,
        "127.0.0.1",
      );
      k++;
    }, 20);
    try {
      await waitFor(
        () => heardB().filter((p) => p.payloadType === 8).length >= 10 && pa.rtp().length >= 10,
        5000,
        "audio across workers",
      );
      const atB = heardB().filter((p) => p.payloadType === 8);
      expect(toneShare(g711Decode("pcma", atB.at(-2)!.payload), 1000)).toBeGreaterThan(0.9);
      expect(toneShare(g711Decode("pcmu", pa.rtp().at(-2)!.payload), 600)).toBeGreaterThan(0.9);
      // An RFC 4733 press on a's phone is regenerated towards b's phone.
      for (const end of [false, true, true, true])
        pa.send(new Uint8Array([7, end ? 0x8a : 0x0a, 0x03, 0x20]), 101, 777);
      await waitFor(() => heardB().some((p) => p.payloadType === 101), 3000, "telephone-event at b");
      expect(heardB().find((p) => p.payloadType === 101)!.payload[0]).toBe(7);
    } finally {
      clearInterval(timer);
      await bridge.close();
      await Promise.all([a.close(), b.close()]);
      await Promise.all([pa.peer.close(), pb.close()]);
    }
    for (const w of await engine.stats())
      expect(w).toMatchObject({ endpoints: 0, bridges: 0, portsInUse: 0 });
  });

  it("bridges, records, plays and reports DTMF through the main-thread API", async () => {
    const caller = await engine.createRtpEndpoint({ group: "call-2" });
    const agent = await engine.createRtpEndpoint({ group: "call-2" });
    const cp = await phoneFor(caller);
    const ap = await phoneFor(agent);
    const bridge = await engine.bridge(caller, agent);
    const rec = await engine.record(join(dir, "call-2.wav"), { caller, agent });
    const keys: string[] = [];
    caller.on("dtmf", (r) => keys.push(r.key));
    const reports: { packetsReceived: number }[] = [];
    caller.on("stats", (st) => reports.push(st));
    const timer = setInterval(() => cp.send(g711Encode("pcmu", sine(1000, 160, 10000))), 20);
    try {
      await waitFor(() => ap.rtp().length >= 25, 5000, "bridged audio at the agent");
      expect(toneShare(g711Decode("pcmu", ap.rtp()[20]!.payload), 1000)).toBeGreaterThan(0.9);
      // RFC 4733 from the caller's phone: start, then end ×3.
      for (const end of [false, false, true, true, true])
        cp.send(new Uint8Array([3, end ? 0x8a : 0x0a, 0x03, 0x20]), 101, 123456);
      await waitFor(() => keys.length === 1, 3000, "dtmf at the main thread");
      expect(keys).toEqual(["3"]);
      // Loss/jitter reach the main thread with each RTCP report.
      await waitFor(() => reports.some((r) => r.packetsReceived > 10), 5000, "a stats event");
    } finally {
      clearInterval(timer);
    }
    const { seconds } = await rec.stop();
    expect(seconds).toBeGreaterThan(0.3);
    const w = parseWav(new Uint8Array(readFileSync(join(dir, "call-2.wav"))));
    const s = wavSamples(w);
    const left = Int16Array.from({ length: s.length / 2 }, (_, i) => s[2 * i]!);
    expect(toneShare(left.subarray(left.length - 2000), 1000)).toBeGreaterThan(0.5);
    await bridge.close();
    // Prompt playback into the caller leg.
    const prompt = join(dir, "prompt.wav");
    writeFileSync(prompt, encodeWav(sine(700, 1600, 8000)));
    const before = cp.rtp().length;
    const pb = await engine.play(caller, [prompt]);
    expect(await pb.done).toMatchObject({ reason: "finished", frames: 10 });
    await waitFor(() => cp.rtp().length >= before + 10, 3000, "prompt frames");
    const st = await caller.stats();
    expect(st.packetsReceived).toBeGreaterThan(20);
    await Promise.all([caller.close(), agent.close(), caller.close()]);
    await Promise.all([cp.peer.close(), ap.peer.close()]);
    const stats = await engine.stats();
    for (const w of stats) {
      expect(w).toMatchObject({
        endpoints: 0,
        portsInUse: 0,
        bridges: 0,
        players: 0,
        recordings: 0,
        pendingRequests: 0,
      });
    }
  });

  it("a WebRTC endpoint in a worker bridges to an RTP endpoint (werift peer ⇄ UDP phone)", async () => {
    const web = await engine.createWebRtcEndpoint({ group: "web-call" });
    const sip = await engine.createRtpEndpoint({ group: "web-call" });
    expect(web.slot).toBe(sip.slot);
    const phone = await phoneFor(sip);
    const pc = new RTCPeerConnection({
      codecs: {
        audio: [
          new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
        ],
      },
      iceAdditionalHostAddresses: ["127.0.0.1"],
      iceUseIpv6: false,
    });
    const t = pc.addTransceiver("audio", { direction: "sendrecv" });
    const heard: Buffer[] = [];
    t.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => heard.push(p.payload)));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((r) => {
      if (pc.iceGatheringState === "complete") r();
      else pc.iceGatheringStateChange.subscribe((st) => st === "complete" && r());
    });
    const answer = await web.createAnswer(pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    const bridge = await engine.bridge(web, sip);
    let k = 0;
    const timer = setInterval(() => {
      void t.sender.sendRtp(
        new WeriftRtpPacket(
          new RtpHeader({ payloadType: 0, sequenceNumber: k, timestamp: k * 160, ssrc: 3 }),
          Buffer.from(g711Encode("pcmu", sine(1000, 160, 9000, k * 160))),
        ),
      );
      phone.send(g711Encode("pcmu", sine(600, 160, 9000, k * 160)));
      k++;
    }, 20);
    try {
      await waitFor(
        () => phone.rtp().length >= 10 && heard.length >= 10,
        8000,
        "audio both ways through the worker",
      );
      expect(toneShare(g711Decode("pcmu", phone.rtp().at(-2)!.payload), 1000)).toBeGreaterThan(0.9);
      expect(toneShare(g711Decode("pcmu", heard.at(-2)!), 600)).toBeGreaterThan(0.9);
      expect((await web.stats()).packetsReceived).toBeGreaterThan(5);
    } finally {
      clearInterval(timer);
      await bridge.close();
      await Promise.all([web.close(), sip.close()]);
      await pc.close();
      await phone.peer.close();
    }
  });

  it("conference with whisper, and an audio fork, through the worker API", async () => {
    const caller = await engine.createRtpEndpoint({ group: "conf" });
    const agent = await engine.createRtpEndpoint({ group: "conf" });
    const sup = await engine.createRtpEndpoint({ group: "conf" });
    const phones = await Promise.all([caller, agent, sup].map((e) => phoneFor(e)));
    const [cp, ap, sp] = phones as [
      Awaited<ReturnType<typeof phoneFor>>,
      Awaited<ReturnType<typeof phoneFor>>,
      Awaited<ReturnType<typeof phoneFor>>,
    ];
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => server.once("listening", () => r()));
    const messages: { text?: string; bin?: Buffer }[] = [];
    server.on("connection", (ws) =>
      ws.on("message", (d, isBinary) =>
        messages.push(isBinary ? { bin: d as Buffer } : { text: (d as Buffer).toString() }),
      ),
    );
    const conf = await engine.mix();
    await conf.add(caller);
    await conf.add(agent);
    await conf.add(sup, { whisperTo: agent });
    const fork = await engine.fork(
      { caller, agent },
      {
        url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/asr`,
        callId: "c-9",
        callerNumber: "12345678",
        mode: "caller",
      },
    );
    let k = 0;
    const timer = setInterval(() => {
      cp.send(g711Encode("pcmu", sine(500, 160, 8000, k * 160)));
      ap.send(g711Encode("pcmu", sine(900, 160, 8000, k * 160)));
      sp.send(g711Encode("pcmu", sine(1700, 160, 8000, k * 160)));
      k++;
    }, 20);
    const median = (ps: { payload: Uint8Array }[], f: number): number => {
      const v = ps
        .slice(-15)
        .map((p) => toneShare(g711Decode("pcmu", p.payload), f))
        .sort((x, y) => x - y);
      return v[v.length >> 1] ?? 0;
    };
    try {
      await waitFor(
        () => cp.rtp().length > 30 && ap.rtp().length > 30 && messages.length > 30,
        8000,
        "mixed audio and fork frames",
      );
      expect(median(ap.rtp(), 1700)).toBeGreaterThan(0.3); // agent hears the whisper
      expect(median(cp.rtp(), 1700)).toBeLessThan(0.01); // caller does not
      expect(median(cp.rtp(), 900)).toBeGreaterThan(0.8);
      expect(JSON.parse(messages[0]!.text!)).toMatchObject({
        callId: "c-9",
        caller: "12345678",
        format: { channels: 1, mode: "caller" },
      });
      expect(messages[10]!.bin!.length).toBe(320);
    } finally {
      clearInterval(timer);
      await fork.stop();
      await conf.close();
      await Promise.all([caller.close(), agent.close(), sup.close()]);
      await Promise.all(phones.map((p) => p.peer.close()));
      await new Promise<void>((r) => server.close(() => r()));
    }
    for (const w of await engine.stats())
      expect(w).toMatchObject({ endpoints: 0, mixers: 0, forks: 0, portsInUse: 0 });
  });

  it("close resolves running playbacks as stopped and rejects later calls with CLOSED", async () => {
    const e2 = await MediaEngine.start({
      workers: 1,
      portMin: 45000,
      portMax: 45099,
      bindAddress: "127.0.0.1",
    });
    const ep = await e2.createRtpEndpoint();
    const peer = await udpPeer();
    await ep.createAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${peer.port} RTP/AVP 0\r\n`,
    );
    const prompt = join(dir, "moh.wav");
    writeFileSync(prompt, encodeWav(sine(440, 800, 8000)));
    const moh = await e2.play(ep, [prompt], { loop: true });
    await e2.close();
    await e2.close();
    expect((await moh.done).reason).toBe("stopped");
    await expect(e2.createRtpEndpoint()).rejects.toMatchObject({ code: MediaErrorCode.Closed });
    await expect(ep.stats()).rejects.toMatchObject({ code: MediaErrorCode.Closed });
    await peer.close();
  });
});
