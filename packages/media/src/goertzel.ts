import type { DtmfKey, DtmfReport } from "./dtmf.js";

/**
 * In-band DTMF detection with the Goertzel algorithm, for trunks that send tones
 * instead of RFC 4733 events.
 *
 * Blocks of 205 samples at 8 kHz (25.6 ms) put each of the eight DTMF frequencies
 * close to a DFT bin centre. A block holds a digit when (ITU-T Q.24 style checks):
 *  - the signal is loud enough;
 *  - the strongest row and column tones carry most of the block's energy (speech
 *    and music spread their energy; a DTMF pair does not);
 *  - twist between the two tones is within limits;
 *  - each tone stands clear of the other tones of its group.
 * A press is accepted after two consecutive blocks (≥ 40 ms, Q.24) and ends after
 * two consecutive blocks without it; one report per press, with its duration.
 */

const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const LAYOUT: readonly (readonly DtmfKey[])[] = [
  ["1", "2", "3", "A"],
  ["4", "5", "6", "B"],
  ["7", "8", "9", "C"],
  ["*", "0", "#", "D"],
];

export interface GoertzelOptions {
  sampleRate?: number;
  /** Minimum RMS of a block, in 16-bit PCM units. Default 200 (about −44 dBFS). */
  minRms?: number;
  /** Share of block energy the two tones must carry. Default 0.7. */
  minToneShare?: number;
  /** Largest allowed row/column power ratio either way, in dB. Default 8. */
  maxTwistDb?: number;
}

export class GoertzelDtmfDetector {
  readonly blockSize: number;
  #coeffs: Float64Array;
  #block: Float64Array;
  #fill = 0;
  #minEnergy: number;
  #minShare: number;
  #maxTwist: number;
  #power = new Float64Array(8);
  // press state
  #candidate: DtmfKey | undefined;
  #candidateBlocks = 0;
  #active: DtmfKey | undefined;
  #activeBlocks = 0;
  #missBlocks = 0;
  #blockMs: number;

  constructor(opts: GoertzelOptions = {}) {
    const rate = opts.sampleRate ?? 8000;
    this.blockSize = Math.round((205 * rate) / 8000);
    this.#blockMs = (this.blockSize * 1000) / rate;
    this.#coeffs = new Float64Array([...ROWS, ...COLS].map((f) => 2 * Math.cos((2 * Math.PI * f) / rate)));
    this.#block = new Float64Array(this.blockSize);
    const rms = opts.minRms ?? 200;
    this.#minEnergy = rms * rms * this.blockSize;
    this.#minShare = opts.minToneShare ?? 0.7;
    this.#maxTwist = 10 ** ((opts.maxTwistDb ?? 8) / 10);
  }

  /** Feeds samples of any length; returns the presses that ended within them. */
  push(samples: Int16Array): DtmfReport[] {
    const out: DtmfReport[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.#block[this.#fill++] = samples[i]!;
      if (this.#fill === this.blockSize) {
        this.#fill = 0;
        const r = this.#onBlock(this.#classify());
        if (r) out.push(r);
      }
    }
    return out;
  }

  /** Ends a press in progress (e.g. when the stream stops). */
  flush(): DtmfReport[] {
    if (!this.#active) return [];
    const r = this.#report();
    return [r];
  }

  /** Classifies the current block: the key it holds, or undefined. */
  #classify(): DtmfKey | undefined {
    const n = this.blockSize;
    const x = this.#block;
    let energy = 0;
    for (let i = 0; i < n; i++) energy += x[i]! * x[i]!;
    if (energy < this.#minEnergy) return undefined;
    for (let k = 0; k < 8; k++) {
      const c = this.#coeffs[k]!;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const s0 = x[i]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      this.#power[k] = s1 * s1 + s2 * s2 - c * s1 * s2;
    }
    const p = this.#power;
    let r = 0;
    for (let k = 1; k < 4; k++) if (p[k]! > p[r]!) r = k;
    let c = 4;
    for (let k = 5; k < 8; k++) if (p[k]! > p[c]!) c = k;
    const pr = p[r]!;
    const pc = p[c]!;
    // A pure sinusoid of N samples gives Goertzel power ≈ (A·N/2)² while the block's
    // energy is A²·N/2, so power / (energy · N/2) is that tone's share of the energy.
    const share = (pr + pc) / ((energy * n) / 2);
    if (share < this.#minShare) return undefined;
    if (pr > pc * this.#maxTwist || pc > pr * this.#maxTwist) return undefined;
    // Relative peak: every other tone in the group at least 6 dB below the winner.
    for (let k = 0; k < 4; k++) if (k !== r && p[k]! * 4 > pr) return undefined;
    for (let k = 4; k < 8; k++) if (k !== c && p[k]! * 4 > pc) return undefined;
    return LAYOUT[r]![c - 4];
  }

  #onBlock(key: DtmfKey | undefined): DtmfReport | undefined {
    if (this.#active) {
      if (key === this.#active) {
        this.#activeBlocks += 1 + this.#missBlocks; // a one-block dropout is bridged over
        this.#missBlocks = 0;
        return undefined;
      }
      this.#missBlocks++;
      if (this.#missBlocks >= 2 || (key !== undefined && key !== this.#active)) {
        const r = this.#report();
        this.#candidate = key;
        this.#candidateBlocks = key ? 1 : 0;
        return r;
      }
      return undefined;
    }
    if (key !== undefined && key === this.#candidate) {
      this.#candidateBlocks++;
      if (this.#candidateBlocks >= 2) {
        this.#active = key;
        this.#activeBlocks = this.#candidateBlocks;
        this.#missBlocks = 0;
        this.#candidate = undefined;
        this.#candidateBlocks = 0;
      }
    } else {
      this.#candidate = key;
      this.#candidateBlocks = key ? 1 : 0;
    }
    return undefined;
  }

  #report(): DtmfReport {
    const r: DtmfReport = {
      key: this.#active!,
      durationMs: Math.round(this.#activeBlocks * this.#blockMs),
      source: "inband",
      endSeen: true,
    };
    this.#active = undefined;
    this.#activeBlocks = 0;
    this.#missBlocks = 0;
    return r;
  }
}

/** Synthesises a DTMF tone pair (used by tests, and to send DTMF in-band). */
export function dtmfTone(key: DtmfKey, durationMs: number, amplitude = 8000, sampleRate = 8000): Int16Array {
  let row = -1;
  let col = -1;
  LAYOUT.forEach((keys, r) => {
    const c = keys.indexOf(key);
    if (c >= 0) {
      row = r;
      col = c;
    }
  });
  const n = Math.round((durationMs * sampleRate) / 1000);
  const out = new Int16Array(n);
  const fr = ROWS[row]!;
  const fc = COLS[col]!;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    out[i] = Math.round(amplitude * (Math.sin(2 * Math.PI * fr * t) + Math.sin(2 * Math.PI * fc * t)) * 0.5);
  }
  return out;
}
