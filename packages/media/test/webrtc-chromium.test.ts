import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DtmfReport } from "../src/dtmf.js";
import { Player } from "../src/player.js";
import { encodeWav } from "../src/wav.js";
import { WebRtcEndpoint } from "../src/webrtc-endpoint.js";
import { binaryAvailable, sine, toneShare, waitFor } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = binaryAvailable(CHROMIUM);

// The page: microphone (a fake device playing our WAV) → RTCPeerConnection; what it
// hears goes to an <audio> element and an analyser so the test can read its pitch.
const PAGE = `<!doctype html><html><body><audio id="out" autoplay></audio><script>
let pc, analyser, ctx;
window.offer = async () => {
  pc = new RTCPeerConnection();
  const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  for (const t of mic.getTracks()) pc.addTrack(t, mic);
  pc.ontrack = (e) => {
    const s = e.streams[0] || new MediaStream([e.track]);
    document.getElementById("out").srcObject = s;
    ctx = new AudioContext();
    analyser = ctx.createAnalyser();
    analyser.fftSize = 4096;
    ctx.createMediaStreamSource(s).connect(analyser);
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === "complete") r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(); });
  return pc.localDescription.sdp;
};
window.answer = (sdp) => pc.setRemoteDescription({ type: "answer", sdp });
window.state = () => pc.connectionState;
window.dtmf = (tones) => pc.getSenders()[0].dtmf.insertDTMF(tones, 120, 80);
window.peakHz = () => {
  if (!analyser) return 0;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  return bins[best] > -80 ? (best * ctx.sampleRate) / analyser.fftSize : 0;
};
window.received = async () => {
  let n = 0;
  (await pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "audio") n = r.packetsReceived; });
  return n;
};
</script></body></html>`;

let browser: Browser | undefined;
let server: Server | undefined;
let dir: string;
let url = "";

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  dir = mkdtempSync(join(tmpdir(), "media-chromium-"));
  const wav = join(dir, "mic-1k.wav");
  writeFileSync(wav, encodeWav(sine(1000, 8000 * 10, 12000)));
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(PAGE);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}`,
      "--autoplay-policy=no-user-gesture-required",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_CHROMIUM)("WebRtcEndpoint with headless Chromium", () => {
  it("exchanges audio with a browser page and receives its RFC 4733 DTMF", async () => {
    const page: Page = await browser!.newPage();
    const ep = new WebRtcEndpoint({ extraHostAddresses: ["127.0.0.1"] });
    let player: Player | undefined;
    try {
      await page.goto(url);
      const offer = await page.evaluate("window.offer()");
      const answer = await ep.createAnswer(String(offer));
      expect(answer).toMatch(/a=rtpmap:0 PCMU\/8000/);
      await page.evaluate(`window.answer(${JSON.stringify(answer)})`);
      await waitFor(() => ep.connected, 10_000, "ICE + DTLS with Chromium");

      // Browser → engine: the fake microphone's 1 kHz tone.
      const frames: Int16Array[] = [];
      ep.on("rtp", (p) => frames.push(ep.decode(p.payload)));
      await waitFor(() => frames.length >= 60, 8000, "audio from Chromium");
      const recent = new Int16Array(160 * 20);
      frames.slice(-20).forEach((f, i) => {
        recent.set(f, i * 160);
      });
      expect(toneShare(recent, 1000)).toBeGreaterThan(0.7);

      // Engine → browser: a 600 Hz prompt, heard by the page's analyser.
      player = new Player(ep, [sine(600, 8000 * 10, 12000)]);
      const deadline = performance.now() + 8000;
      let peak = 0;
      while (performance.now() < deadline) {
        peak = Number(await page.evaluate("window.peakHz()"));
        if (Math.abs(peak - 600) < 30) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Math.abs(peak - 600)).toBeLessThan(30);
      let received = 0;
      while (performance.now() < deadline + 4000 && received <= 20) {
        received = Number(await page.evaluate("window.received()"));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(received).toBeGreaterThan(20);

      // DTMF from the browser (RTCDTMFSender sends RFC 4733).
      const keys: DtmfReport[] = [];
      ep.on("dtmf", (r) => keys.push(r));
      await page.evaluate(`window.dtmf("1#")`);
      await waitFor(() => keys.length >= 2, 5000, "two key presses");
      expect(keys.map((k) => k.key)).toEqual(["1", "#"]);
      expect(keys[0]!.durationMs).toBeGreaterThanOrEqual(100);
    } finally {
      player?.stop();
      await ep.close();
      await page.close();
    }
  });
});
