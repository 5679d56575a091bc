import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DtmfReport,
  dtmfTone,
  g711Decode,
  g711Encode,
  MediaEngine,
  parseRtp,
  parseWav,
  serializeRtp,
  wavSamples,
} from "@hotline12345/media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbfs, rms, sine, splitStereo, toneShare } from "./support/audio.js";
import { miniUas, sippUacScenario } from "./support/mini-uas.js";
import { g711Stream, writePcap } from "./support/pcap.js";
import { binaryAvailable, freeUdpPort, run } from "./support/peers.js";

const HAVE_SIPP = binaryAvailable("sipp");
// sipp ships real captured RFC 2833 key presses with the package.
const SIPP_DTMF_PCAP = "/usr/share/sip-tester/dtmf_2833_1.pcap";

let engine: MediaEngine;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "media-interop-"));
  engine = await MediaEngine.start({ workers: 2, portMin: 46000, portMax: 46999, bindAddress: "127.0.0.1" });
});
afterAll(async () => {
  await engine?.close();
  if (!process.env.KEEP_MEDIA_INTEROP) rmSync(dir, { recursive: true, force: true });
  else console.log("kept", dir);
});

async function runSipp(scenario: string, uasPort: number) {
  const sf = join(dir, `uac-${uasPort}.xml`);
  writeFileSync(sf, scenario);
  const mp = await freeUdpPort(true);
  const sipp = run(
    "sipp",
    [
      `127.0.0.1:${uasPort}`,
      "-sf",
      sf,
      "-m",
      "1",
      "-i",
      "127.0.0.1",
      "-mi",
      "127.0.0.1",
      "-mp",
      String(mp),
      "-timeout",
      "15",
      "-timeout_error",
      "-nostdin",
      "-trace_err",
      "-error_file",
      join(dir, `err-${uasPort}.log`),
    ],
    dir,
  );
  return sipp;
}

describe.skipIf(!HAVE_SIPP)("sipp caller → bridged, recorded call", () => {
  it("a 1 kHz tone sent by sipp is heard by the agent and recorded in the left channel at its level", async () => {
    const caller = await engine.createRtpEndpoint({ group: "tone-call" });
    const agent = await engine.createRtpEndpoint({ group: "tone-call", codecs: ["PCMA"] });
    // The agent's phone: a UDP socket speaking PCMA, sending a quiet 600 Hz tone.
    const agentPhone = createSocket("udp4");
    const heardByAgent: Buffer[] = [];
    agentPhone.on("message", (m) => heardByAgent.push(m));
    await new Promise<void>((r) => agentPhone.bind(0, "127.0.0.1", () => r()));
    const ap = agentPhone.address().port;
    await agent.createOffer();
    await agent.acceptAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${ap} RTP/AVP 8\r\n`,
    );
    let k = 0;
    const agentTone = setInterval(() => {
      const pcm = sine(600, 160 * 200, 1000).subarray(0, 160);
      agentPhone.send(
        serializeRtp({
          payloadType: 8,
          marker: false,
          sequenceNumber: k,
          timestamp: k * 160,
          ssrc: 600,
          payload: g711Encode("pcma", pcm),
        }),
        agent.port,
        "127.0.0.1",
      );
      k++;
    }, 20);
    const uas = await miniUas((offer) => caller.createAnswer(offer));
    try {
      await engine.bridge(caller, agent);
      const rec = await engine.record(join(dir, "tone-call.wav"), { caller, agent });
      // 3 s of 1 kHz at −10 dBFS peak (−13 dBFS RMS), PCMU, as sipp will replay it.
      const amplitude = Math.round(32767 * 10 ** (-10 / 20));
      const pcap = join(dir, "tone-1k.pcap");
      writeFileSync(pcap, writePcap(g711Stream(sine(1000, 8000 * 3, amplitude), "pcmu")));
      const sipp = await runSipp(sippUacScenario([{ path: pcap, pauseAfterMs: 3500 }]), uas.port);
      const code = await sipp.exited;
      expect(code, sipp.output()).toBe(0);
      expect(uas.ackSeen && uas.byeSeen).toBe(true);
      await rec.stop();

      const { left, right } = splitStereo(
        wavSamples(parseWav(new Uint8Array(readFileSync(join(dir, "tone-call.wav"))))),
      );
      // 200 ms windows: where the left channel holds the tone, check its level and
      // that the right channel holds the agent (600 Hz) and not the caller's tone.
      // Per 20 ms frame, medians over 200 ms windows (a frame concealed while the
      // machine is busy breaks phase between frames, not within one).
      const win = 1600;
      const quantile = (x: Int16Array, f: (frame: Int16Array) => number, q: number): number => {
        const v: number[] = [];
        for (let o = 0; o + 160 <= x.length; o += 160) v.push(f(x.subarray(o, o + 160)));
        v.sort((a, b) => a - b);
        return v[Math.floor(v.length * q)]!;
      };
      let toneWindows = 0;
      let agentWindows = 0;
      for (let o = 0; o + win <= left.length; o += win) {
        const l = left.subarray(o, o + win);
        // A tone window: at least 80 % of its frames hold the tone (edges excluded).
        if (quantile(l, (x) => toneShare(x, 1000), 0.2) < 0.9) continue;
        toneWindows++;
        expect(
          Math.abs(dbfs(quantile(l, rms, 0.5)) - dbfs(amplitude / Math.SQRT2)),
          "left level within 1 dB",
        ).toBeLessThan(1);
        const r = right.subarray(o, o + win);
        // Never the caller's tone on the agent's channel…
        expect(quantile(r, (x) => toneShare(x, 1000), 1 - 1e-9)).toBeLessThan(0.01);
        // …and the agent's own 600 Hz (sent by this test process, which a busy
        // machine may starve for a moment: counted, not required of every window).
        if (quantile(r, (x) => toneShare(x, 600), 0.5) > 0.8) agentWindows++;
      }
      expect(agentWindows).toBeGreaterThanOrEqual(Math.floor(toneWindows * 0.7));
      // 3 s of tone = 15 windows; allow edges.
      expect(toneWindows).toBeGreaterThanOrEqual(13);
      // The agent's phone got the tone transcoded to PCMA.
      const atAgent = heardByAgent.map((m) => parseRtp(m)).filter((p) => p.payloadType === 8);
      expect(atAgent.length).toBeGreaterThanOrEqual(140);
      const mid = atAgent.slice(50, 60).flatMap((p) => [...g711Decode("pcma", p.payload)]);
      expect(toneShare(Int16Array.from(mid), 1000)).toBeGreaterThan(0.9);
    } finally {
      clearInterval(agentTone);
      await new Promise<void>((r) => agentPhone.close(() => r()));
      await uas.close();
      await Promise.all([caller.close(), agent.close()]);
    }
  });

  it("DTMF from sipp is reported once per press, both as RFC 4733 and in-band", async () => {
    const caller = await engine.createRtpEndpoint({ group: "dtmf-call", inbandDtmf: true });
    const reports: DtmfReport[] = [];
    caller.on("dtmf", (r) => reports.push(r));
    const uas = await miniUas((offer) => caller.createAnswer(offer));
    try {
      // In-band: "4" then "#" as PCMU tones, 120 ms each with 200 ms gaps.
      const pcm = new Int16Array(8000 * 1);
      pcm.set(dtmfTone("4", 120, 9000), 800);
      pcm.set(dtmfTone("#", 120, 9000), 4000);
      const inband = join(dir, "inband-4-pound.pcap");
      writeFileSync(inband, writePcap(g711Stream(pcm, "pcmu", 0x4444)));
      const sipp = await runSipp(
        sippUacScenario([
          { path: SIPP_DTMF_PCAP, pauseAfterMs: 600 },
          { path: inband, pauseAfterMs: 1300 },
        ]),
        uas.port,
      );
      const code = await sipp.exited;
      expect(code, sipp.output()).toBe(0);
      const start = performance.now();
      while (reports.length < 3 && performance.now() - start < 3000)
        await new Promise((r) => setTimeout(r, 20));
      expect(reports.map((r) => [r.key, r.source])).toEqual([
        ["1", "rfc4733"],
        ["4", "inband"],
        ["#", "inband"],
      ]);
      expect(reports[1]!.durationMs).toBeGreaterThanOrEqual(90);
      expect(reports[1]!.durationMs).toBeLessThanOrEqual(160);
    } finally {
      await uas.close();
      await caller.close();
    }
  });
});
