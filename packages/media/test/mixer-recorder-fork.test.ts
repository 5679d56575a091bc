import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { AudioFork, type ForkHeader } from "../src/fork.js";
import { g711Decode, g711Encode } from "../src/g711.js";
import { Mixer } from "../src/mixer.js";
import { PortAllocator } from "../src/port-allocator.js";
import { RecordingTap } from "../src/recorder.js";
import { parseRtp, type RtpPacket, serializeRtp } from "../src/rtp.js";
import { RtpEndpoint } from "../src/rtp-endpoint.js";
import { parseWav, wavSamples } from "../src/wav.js";
import { rms, sine, toneShare, udpPeer, waitFor } from "./helpers.js";

const ports = new PortAllocator(43000, 43999);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  expect(ports.inUse).toBe(0);
});

/** A far-end phone sending a tone every 20 ms and collecting what it hears. */
async function phone(freq: number, amplitude = 8000) {
  const peer = await udpPeer();
  const ep = await RtpEndpoint.open({ ports, bindAddress: "127.0.0.1" });
  cleanups.push(
    () => peer.close(),
    () => ep.close(),
  );
  ep.createOffer();
  ep.acceptAnswer(
    `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${peer.port} RTP/AVP 0\r\n`,
  );
  let k = 0;
  const timer = setInterval(() => {
    const pcm = sine(freq, 160, amplitude, k * 160);
    peer.socket.send(
      serializeRtp({
        payloadType: 0,
        marker: k === 0,
        sequenceNumber: k,
        timestamp: k * 160,
        ssrc: freq,
        payload: g711Encode("pcmu", pcm),
      }),
      ep.port,
      "127.0.0.1",
    );
    k++;
  }, 20);
  cleanups.push(() => clearInterval(timer));
  const heard = (): RtpPacket[] => peer.received.map((m) => parseRtp(m));
  /** Median over the last `count` frames of the share of `freq`, frame by frame (a concealed
   * or re-timed frame breaks the phase between frames, not within one). */
  const share = (freq: number, count = 15): number => {
    const v = heard()
      .slice(-count)
      .map((p) => toneShare(g711Decode("pcmu", p.payload), freq))
      .sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)] ?? 0;
  };
  return { ep, heard, share };
}

describe("Mixer over RTP", () => {
  it("three-way call: each hears the other two, not itself; a listener is heard by nobody", async () => {
    const a = await phone(500);
    const b = await phone(900);
    const c = await phone(1300);
    const sup = await phone(1700);
    const mixer = new Mixer();
    cleanups.push(() => mixer.close());
    mixer.add(a.ep);
    mixer.add(b.ep);
    mixer.add(c.ep);
    mixer.add(sup.ep, "listen");
    await waitFor(() => a.heard().length > 30 && sup.heard().length > 30, 5000, "mixed audio");
    expect(a.share(900)).toBeGreaterThan(0.3);
    expect(a.share(1300)).toBeGreaterThan(0.3);
    expect(a.share(500)).toBeLessThan(0.02);
    expect(a.share(1700)).toBeLessThan(0.02);
    for (const f of [500, 900, 1300]) expect(sup.share(f)).toBeGreaterThan(0.2);
  });

  it("whisper: the agent hears the supervisor, the caller does not", async () => {
    const caller = await phone(500);
    const agent = await phone(900);
    const sup = await phone(1700);
    const mixer = new Mixer();
    cleanups.push(() => mixer.close());
    mixer.add(caller.ep);
    const agentParty = mixer.add(agent.ep);
    mixer.add(sup.ep, { whisperTo: agentParty });
    await waitFor(() => caller.heard().length > 30 && agent.heard().length > 30, 5000, "mixed audio");
    expect(agent.share(1700)).toBeGreaterThan(0.3);
    expect(caller.share(1700)).toBeLessThan(0.01);
    expect(caller.share(900)).toBeGreaterThan(0.8);
  });
});

describe("RecordingTap", () => {
  it("writes caller left, agent right; the file is valid while still recording; pause skips audio", async () => {
    const dir = mkdtempSync(join(tmpdir(), "media-rec-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const caller = await phone(1000, 10000);
    const agent = await phone(600, 3000);
    const path = join(dir, "call.wav");
    const rec = new RecordingTap(path, { caller: caller.ep, agent: agent.ep });
    cleanups.push(() => rec.close());
    // Crash safety: after a flush, the header on disk already describes the audio written.
    await waitFor(() => rec.seconds >= 1.3, 5000, "1.3 s recorded");
    const midway = parseWav(new Uint8Array(readFileSync(path)));
    const declared = new DataView(readFileSync(path).buffer).getUint32(40, true);
    expect(declared).toBeGreaterThanOrEqual(8000 * 4); // at least one second, stereo 16-bit
    expect(midway.data.length).toBeGreaterThanOrEqual(declared);
    rec.pause();
    const atPause = rec.seconds;
    const rxAtPause = agent.ep.stats().packetsReceived;
    await waitFor(
      () => agent.ep.stats().packetsReceived >= rxAtPause + 25,
      5000,
      "0.5 s of audio while paused",
    );
    expect(rec.seconds).toBe(atPause);
    rec.resume();
    await waitFor(() => rec.seconds >= atPause + 0.5, 5000);
    rec.close();
    rec.close();
    const w = parseWav(new Uint8Array(readFileSync(path)));
    expect(w.channels).toBe(2);
    expect(w.sampleRate).toBe(8000);
    const all = wavSamples(w);
    const frames = all.length / 2;
    expect(frames / 8000).toBeCloseTo(rec.seconds, 1);
    const left = new Int16Array(frames);
    const right = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = all[2 * i]!;
      right[i] = all[2 * i + 1]!;
    }
    // Per 20 ms frame, median over the last second: a frame concealed when the machine
    // is busy breaks phase between frames, not within one.
    const median = (x: Int16Array, f: (frame: Int16Array) => number): number => {
      const v: number[] = [];
      for (let o = x.length - 8000; o + 160 <= x.length; o += 160) v.push(f(x.subarray(o, o + 160)));
      v.sort((a, b) => a - b);
      return v[v.length >> 1]!;
    };
    expect(median(left, (x) => toneShare(x, 1000))).toBeGreaterThan(0.9);
    expect(median(right, (x) => toneShare(x, 600))).toBeGreaterThan(0.9);
    expect(median(left, (x) => toneShare(x, 600))).toBeLessThan(0.01);
    // Level: a 10000-peak sine has RMS ≈ 7071, a 3000-peak one ≈ 2121.
    expect(median(left, rms)).toBeGreaterThan(6500);
    expect(median(left, rms)).toBeLessThan(7600);
    expect(median(right, rms)).toBeGreaterThan(1900);
    expect(median(right, rms)).toBeLessThan(2300);
  });
});

describe("AudioFork", () => {
  it("sends the JSON header first, then 20 ms frames of 16-bit PCM (stereo: caller left)", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => server.once("listening", () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const messages: { text?: string; bin?: Buffer }[] = [];
    let conn: WebSocket | undefined;
    server.on("connection", (ws) => {
      conn = ws;
      ws.on("message", (data, isBinary) =>
        messages.push(isBinary ? { bin: data as Buffer } : { text: (data as Buffer).toString("utf8") }),
      );
    });
    const caller = await phone(1000);
    const agent = await phone(600);
    const { port } = server.address() as { port: number };
    const fork = new AudioFork(
      { caller: caller.ep, agent: agent.ep },
      { url: `ws://127.0.0.1:${port}/stream`, callId: "call-42", caller: "13800138000" },
    );
    cleanups.push(() => fork.close());
    // The phones' first packets may come after the fork's first ticks on a busy machine (those
    // frames are silence): judge 20 frames from well into the stream.
    await waitFor(() => messages.length > 80, 8000, "80 frames");
    const header = JSON.parse(messages[0]!.text!) as ForkHeader;
    expect(header).toMatchObject({
      callId: "call-42",
      caller: "13800138000",
      format: { encoding: "L16", sampleRate: 8000, channels: 2, mode: "stereo" },
    });
    const frames = messages.slice(60, 80).map((m) => m.bin!);
    expect(frames.every((f) => f.length === 640)).toBe(true);
    // Per frame (a concealed frame on a busy machine breaks phase between frames).
    const shares = (channel: 0 | 1, freq: number): number => {
      const v = frames
        .map((f) => {
          const x = new Int16Array(160);
          for (let i = 0; i < 160; i++) x[i] = f.readInt16LE(i * 4 + channel * 2);
          return toneShare(x, freq);
        })
        .sort((a, b) => a - b);
      return v[v.length >> 1]!;
    };
    expect(shares(0, 1000)).toBeGreaterThan(0.9);
    expect(shares(1, 600)).toBeGreaterThan(0.9);
    expect(shares(0, 600)).toBeLessThan(0.01);
    fork.close();
    await waitFor(() => conn?.readyState === 3, 3000, "socket closed");
  });
});
