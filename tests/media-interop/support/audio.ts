export function sine(freq: number, n: number, amplitude: number, rate = 8000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate)),
  );
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

export function dbfs(rmsValue: number): number {
  return 20 * Math.log10(Math.max(1e-9, rmsValue) / 32768);
}

/** Share of the block's energy at `freq` (Goertzel; 1.0 for a pure tone). */
export function toneShare(x: Int16Array, freq: number, rate = 8000): number {
  const c = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    e += x[i]! * x[i]!;
  }
  return e === 0 ? 0 : (s1 * s1 + s2 * s2 - c * s1 * s2) / ((e * x.length) / 2);
}

export function splitStereo(s: Int16Array): { left: Int16Array; right: Int16Array } {
  const n = s.length >> 1;
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = s[2 * i]!;
    right[i] = s[2 * i + 1]!;
  }
  return { left, right };
}
