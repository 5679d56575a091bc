import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_DTMF_KEYS } from "./dtmf.js";
import { dtmfTone, GoertzelDtmfDetector } from "./goertzel.js";
import { parseWav, wavSamples } from "./wav.js";

/** Deterministic white noise (a small LCG), Gaussian-ish by summing uniforms. */
function noise(n: number, rms: number, seed = 1): Int16Array {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff - 0.5;
  };
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((rnd() + rnd() + rnd() + rnd()) * rms * Math.sqrt(3));
  return out;
}

function mixInto(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.max(-32768, Math.min(32767, a[i]! + (b[i] ?? 0)));
  return out;
}

function feedInFrames(det: GoertzelDtmfDetector, pcm: Int16Array) {
  const out = [];
  for (let o = 0; o < pcm.length; o += 160) out.push(...det.push(pcm.subarray(o, o + 160)));
  out.push(...det.flush());
  return out;
}

const fixture = (name: string): Int16Array =>
  wavSamples(parseWav(readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url))));

describe("in-band DTMF (Goertzel)", () => {
  it("finds all 16 keys in noise (tones at −14 dBFS, noise 15 dB below), one report each", () => {
    const parts: Int16Array[] = [];
    for (const k of ALL_DTMF_KEYS) {
      parts.push(dtmfTone(k, 100, 6500));
      parts.push(new Int16Array(8 * 80)); // 80 ms gap
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const clean = new Int16Array(total);
    let o = 0;
    for (const p of parts) {
      clean.set(p, o);
      o += p.length;
    }
    const signal = mixInto(clean, noise(total, 6500 / 2 / 10 ** (15 / 20)));
    const reports = feedInFrames(new GoertzelDtmfDetector(), signal);
    expect(reports.map((r) => r.key)).toEqual([...ALL_DTMF_KEYS]);
    for (const r of reports) {
      expect(r.source).toBe("inband");
      expect(r.durationMs).toBeGreaterThanOrEqual(50);
      expect(r.durationMs).toBeLessThanOrEqual(130);
    }
  });

  it("reports a long press once with its duration", () => {
    const pcm = new Int16Array(8000 * 2);
    pcm.set(dtmfTone("5", 1000), 4000);
    const reports = feedInFrames(new GoertzelDtmfDetector(), pcm);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.durationMs).toBeGreaterThan(950);
    expect(reports[0]!.durationMs).toBeLessThan(1060);
  });

  it("ignores a tone shorter than 40 ms and pure single tones", () => {
    const pcm = new Int16Array(8000);
    pcm.set(dtmfTone("1", 25), 800);
    for (let i = 0; i < 2000; i++)
      pcm[4000 + i] = Math.round(8000 * Math.sin((2 * Math.PI * 697 * i) / 8000));
    expect(feedInFrames(new GoertzelDtmfDetector(), pcm)).toEqual([]);
  });

  it("stays silent on speech (espeak-ng prompts, Mandarin and English)", () => {
    for (const name of ["speech-cmn.wav", "speech-en.wav"]) {
      const speech = fixture(name);
      expect(speech.length).toBeGreaterThan(8000 * 5);
      expect(feedInFrames(new GoertzelDtmfDetector(), speech), name).toEqual([]);
    }
  });

  it("finds a key played over speech", () => {
    const speech = fixture("speech-en.wav").slice(0, 8000 * 3);
    const tone = new Int16Array(speech.length);
    tone.set(dtmfTone("#", 150, 12000), 8000);
    const reports = feedInFrames(new GoertzelDtmfDetector(), mixInto(speech, tone));
    expect(reports.map((r) => r.key)).toContain("#");
  });
});
