import { type Clock, Pacer, systemClock } from "./clock.js";
import type { AudioSink } from "./player.js";
import { FrameQueue, type TapSource } from "./tap.js";

/**
 * How a party takes part in a conference:
 * - "normal": hears everyone else, is heard by everyone (three-way call, barge);
 * - "listen": hears everyone, is heard by nobody (supervisor monitoring);
 * - { whisperTo }: hears everyone, is heard only by that one party (coaching the agent).
 */
export type PartyRole = "normal" | "listen" | { whisperTo: MixerParty };

export interface MixerParty {
  readonly id: number;
  role: PartyRole;
}

/**
 * The pure mixing step for one 20 ms frame. `inputs[i]` is party i's frame;
 * `out[i]` receives what party i hears: the sum of all normal parties except
 * itself (N−1 mix), plus any whisper aimed at it, clipped to 16 bits.
 */
export function mixFrame(
  inputs: readonly Int16Array[],
  roles: readonly ("normal" | "listen" | number)[],
  /** Int32 so sums are saturated, not wrapped, before they are narrowed to 16 bits. */
  out: readonly Int32Array[],
  acc: Int32Array = new Int32Array(inputs[0]?.length ?? 160),
): void {
  const n = inputs.length;
  const len = acc.length;
  acc.fill(0);
  for (let p = 0; p < n; p++) {
    if (roles[p] !== "normal") continue;
    const x = inputs[p]!;
    for (let i = 0; i < len; i++) acc[i]! += x[i]!;
  }
  for (let p = 0; p < n; p++) {
    const o = out[p]!;
    const own = roles[p] === "normal" ? inputs[p]! : undefined;
    for (let i = 0; i < len; i++) {
      let v = acc[i]!;
      if (own) v -= own[i]!;
      o[i] = v;
    }
    // Whispers aimed at p (roles[q] is the index of the party q whispers to).
    for (let q = 0; q < n; q++) {
      if (roles[q] !== p) continue;
      const w = inputs[q]!;
      for (let i = 0; i < len; i++) o[i] = o[i]! + w[i]!;
    }
  }
  // Clipping: saturate rather than wrap (a wrapped sum is a loud click).
  for (let p = 0; p < n; p++) {
    const o = out[p]!;
    for (let i = 0; i < len; i++) {
      const v = o[i]!;
      if (v > 32767) o[i] = 32767;
      else if (v < -32768) o[i] = -32768;
    }
  }
}

interface Party extends MixerParty {
  endpoint: TapSource & AudioSink;
  queue: FrameQueue;
  input: Int16Array;
  output: Int16Array;
}

/**
 * An N-party conference over RTP endpoints, mixed every 20 ms (paced from the
 * start). Missing input is concealed by the FrameQueue. Each party's output wide
 * buffer is Int32 before saturation, so three loud talkers clip instead of wrap.
 */
export class Mixer {
  #parties: Party[] = [];
  #pacer: Pacer | undefined;
  #clock: Clock;
  #seq = 0;
  #closed = false;
  #frame = 0;
  #wide: Int32Array[] = [];
  #acc = new Int32Array(160);

  constructor(opts: { clock?: Clock } = {}) {
    this.#clock = opts.clock ?? systemClock;
  }

  get size(): number {
    return this.#parties.length;
  }

  add(endpoint: TapSource & AudioSink, role: PartyRole = "normal"): MixerParty {
    const party: Party = {
      id: ++this.#seq,
      role,
      endpoint,
      queue: new FrameQueue(endpoint, 3),
      input: new Int16Array(160),
      output: new Int16Array(160),
    };
    this.#parties.push(party);
    if (!this.#pacer && !this.#closed) this.#pacer = new Pacer(this.#clock, 20, () => this.#tick());
    return party;
  }

  remove(party: MixerParty): void {
    const i = this.#parties.findIndex((p) => p.id === party.id);
    if (i < 0) return;
    this.#parties[i]!.queue.close();
    this.#parties.splice(i, 1);
    for (const p of this.#parties)
      if (typeof p.role === "object" && p.role.whisperTo.id === party.id) p.role = "listen";
    if (this.#parties.length === 0) {
      this.#pacer?.stop();
      this.#pacer = undefined;
    }
  }

  #tick(): void {
    const ps = this.#parties;
    const n = ps.length;
    while (this.#wide.length < n) this.#wide.push(new Int32Array(160));
    const roles = ps.map((p) =>
      typeof p.role === "object"
        ? ps.findIndex((q) => q.id === (p.role as { whisperTo: MixerParty }).whisperTo.id)
        : p.role,
    );
    for (const p of ps) p.queue.take(p.input);
    const wide = this.#wide.slice(0, n);
    mixFrame(
      ps.map((p) => p.input),
      roles,
      wide,
      this.#acc,
    );
    const k = this.#frame++;
    for (let i = 0; i < n; i++) {
      const p = ps[i]!;
      p.output.set(wide[i]!); // already saturated to the 16-bit range
      p.endpoint.sendPcm(this, k, p.output);
    }
  }

  /** Stops mixing; the endpoints stay open. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer?.stop();
    for (const p of this.#parties) p.queue.close();
    this.#parties = [];
  }
}
