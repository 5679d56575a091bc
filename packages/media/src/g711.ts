/**
 * ITU-T G.711 μ-law and A-law, as table lookups built once from the
 * segment/quantisation algorithm of the Recommendation (the classic Sun
 * g711.c formulation, on 16-bit linear PCM).
 *
 * Decoding is a 256-entry table; encoding is a 65,536-entry table indexed by
 * the 16-bit sample, so the packet path does one array read per sample.
 */

const BIAS = 0x84; // μ-law bias, 33 on the 14-bit scale (G.711 Table 2a)
const CLIP = 8159; // largest 14-bit magnitude μ-law can represent
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

function linearToUlawSlow(pcm: number): number {
  let v = pcm >> 2; // 14-bit magnitude domain
  let mask: number;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (v > CLIP) v = CLIP;
  v += BIAS >> 2;
  const seg = segment(v, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  // Code word: sign, 3-bit segment, 4-bit step; bits are inverted on the line.
  return ((seg << 4) | ((v >> (seg + 1)) & 0xf)) ^ mask;
}

function ulawToLinearSlow(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? BIAS - t : t - BIAS;
}

function linearToAlawSlow(pcm: number): number {
  let v = pcm >> 3; // 13-bit domain
  let mask: number;
  if (v >= 0) {
    mask = 0xd5; // sign bit set for positive values, even bits inverted (G.711 §A)
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  const seg = segment(v, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  let a = seg << 4;
  a |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return a ^ mask;
}

function alawToLinearSlow(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) {
  ULAW_DECODE[c] = ulawToLinearSlow(c);
  ALAW_DECODE[c] = alawToLinearSlow(c);
}
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) {
  const s = (i << 16) >> 16; // index is the sample's two's-complement bit pattern
  ULAW_ENCODE[i] = linearToUlawSlow(s);
  ALAW_ENCODE[i] = linearToAlawSlow(s);
}

export type G711Law = "pcmu" | "pcma";

export function ulawDecodeSample(code: number): number {
  return ULAW_DECODE[code & 0xff]!;
}
export function alawDecodeSample(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}
export function ulawEncodeSample(pcm: number): number {
  return ULAW_ENCODE[pcm & 0xffff]!;
}
export function alawEncodeSample(pcm: number): number {
  return ALAW_ENCODE[pcm & 0xffff]!;
}

/** Decodes `src` into `dst` (which must be at least as long); returns `dst`. */
export function g711Decode(
  law: G711Law,
  src: Uint8Array,
  dst: Int16Array = new Int16Array(src.length),
): Int16Array {
  const table = law === "pcmu" ? ULAW_DECODE : ALAW_DECODE;
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = table[src[i]!]!;
  return dst;
}

/** Encodes `src` into `dst` (which must be at least as long); returns `dst`. */
export function g711Encode(
  law: G711Law,
  src: Int16Array,
  dst: Uint8Array = new Uint8Array(src.length),
): Uint8Array {
  const table = law === "pcmu" ? ULAW_ENCODE : ALAW_ENCODE;
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = table[src[i]! & 0xffff]!;
  return dst;
}

/** Re-encodes one law to the other through the linear domain (used by the bridge). */
export function g711Transcode(
  from: G711Law,
  to: G711Law,
  src: Uint8Array,
  dst: Uint8Array = new Uint8Array(src.length),
): Uint8Array {
  const dec = from === "pcmu" ? ULAW_DECODE : ALAW_DECODE;
  const enc = to === "pcmu" ? ULAW_ENCODE : ALAW_ENCODE;
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = enc[dec[src[i]!]! & 0xffff]!;
  return dst;
}

/** The code word for digital silence: μ-law 0xFF, A-law 0xD5. */
export function g711Silence(law: G711Law): number {
  return law === "pcmu" ? 0xff : 0xd5;
}
