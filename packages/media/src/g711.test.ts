import { describe, expect, it } from "vitest";
import {
  alawDecodeSample,
  alawEncodeSample,
  g711Decode,
  g711Encode,
  g711Transcode,
  ulawDecodeSample,
  ulawEncodeSample,
} from "./g711.js";

/**
 * Reference decode tables built directly from the G.711 definitions, not from the
 * implementation: μ-law (Table 2a) magnitude on the 14-bit scale is
 * ((2·step + 33) << segment) − 33; A-law (Table 1a) on the 13-bit scale is
 * 2·step + 1 in segment 0 and (2·step + 33) << (segment − 1) above. Both are
 * scaled up to 16-bit PCM (× 4 and × 8).
 */
function referenceUlaw(code: number): number {
  const u = ~code & 0xff; // μ-law code words are transmitted inverted
  const seg = (u >> 4) & 7;
  const step = u & 15;
  const mag = (((2 * step + 33) << seg) - 33) * 4;
  return u & 0x80 && mag !== 0 ? -mag : mag;
}
function referenceAlaw(code: number): number {
  const a = code ^ 0x55; // A-law inverts the even bits
  const seg = (a >> 4) & 7;
  const step = a & 15;
  const mag = (seg === 0 ? 2 * step + 1 : (2 * step + 33) << (seg - 1)) * 8;
  return a & 0x80 ? mag : -mag;
}

describe("G.711", () => {
  it("μ-law decodes all 256 code words as the Recommendation defines", () => {
    for (let c = 0; c < 256; c++) expect(ulawDecodeSample(c), `code ${c}`).toBe(referenceUlaw(c));
  });
  it("A-law decodes all 256 code words as the Recommendation defines", () => {
    for (let c = 0; c < 256; c++) expect(alawDecodeSample(c), `code ${c}`).toBe(referenceAlaw(c));
  });
  it("known anchor values", () => {
    expect(ulawDecodeSample(0xff)).toBe(0);
    expect(ulawDecodeSample(0x80)).toBe(32124);
    expect(ulawDecodeSample(0x00)).toBe(-32124);
    expect(alawDecodeSample(0xd5)).toBe(8);
    expect(alawDecodeSample(0x55)).toBe(-8);
    expect(alawDecodeSample(0xaa)).toBe(32256);
    expect(alawDecodeSample(0x2a)).toBe(-32256);
    expect(ulawEncodeSample(0)).toBe(0xff);
    expect(alawEncodeSample(0)).toBe(0xd5);
    expect(ulawEncodeSample(32767)).toBe(0x80);
    expect(ulawEncodeSample(-32768)).toBe(0x00);
  });
  it("encode(decode(c)) === c for every code word (μ-law negative zero excepted)", () => {
    for (let c = 0; c < 256; c++) {
      if (c !== 0x7f) expect(ulawEncodeSample(ulawDecodeSample(c))).toBe(c);
      expect(alawEncodeSample(alawDecodeSample(c))).toBe(c);
    }
    expect(ulawEncodeSample(ulawDecodeSample(0x7f))).toBe(0xff);
  });
  it("encoding picks the nearest reconstruction level's interval for every 16-bit sample", () => {
    // The quantisation error of any sample is bounded by half the step of its segment.
    for (let s = -32768; s <= 32767; s += 7) {
      const u = ulawDecodeSample(ulawEncodeSample(s));
      const a = alawDecodeSample(alawEncodeSample(s));
      const mag = Math.min(Math.abs(s), 32635);
      expect(Math.abs(u - Math.max(-32124, Math.min(32124, s)))).toBeLessThanOrEqual(
        Math.max(8, mag / 16) + 4,
      );
      expect(Math.abs(a - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16) + 8);
    }
  });
  it("block encode/decode/transcode agree with the per-sample functions", () => {
    const pcm = new Int16Array(160);
    for (let i = 0; i < pcm.length; i++)
      pcm[i] = Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const u = g711Encode("pcmu", pcm);
    const a = g711Encode("pcma", pcm);
    for (let i = 0; i < pcm.length; i++) {
      expect(u[i]).toBe(ulawEncodeSample(pcm[i]!));
      expect(a[i]).toBe(alawEncodeSample(pcm[i]!));
    }
    const back = g711Decode("pcmu", u);
    expect(back[2]).toBe(ulawDecodeSample(u[2]!));
    const t = g711Transcode("pcmu", "pcma", u);
    for (let i = 0; i < t.length; i++) expect(t[i]).toBe(alawEncodeSample(ulawDecodeSample(u[i]!)));
  });
});
