/**
 * The OPTIONS probe of one trunk, as a pure state machine: it is told the time and the
 * responses, and says when to send a probe and when the trunk goes down or comes back.
 * No sockets, no timers: the adapter (options-prober.ts) feeds it.
 *
 * RFC 3261 §11: OPTIONS asks a peer for its capabilities; any final response it sends
 * (200, but also 403/404/405/401 …) shows it is alive. A probe counts as missed when
 * nothing comes back within `timeoutMs`, or when the answer is a 408 (our transaction timed
 * out, §8.1.3.1) or a 503 (transport failure, or the peer itself is unavailable, §21.5.4).
 */

export type TrunkHealth = "up" | "down";

export interface ProbeSettings {
  /** Time between probes. */
  intervalMs: number;
  /** A probe unanswered this long is a miss (well before timer F's 32 s on UDP). */
  timeoutMs: number;
  /** Consecutive misses that take an up trunk down. */
  missesToDown: number;
}

export type ProbeOutput =
  | { kind: "send"; seq: number }
  | { kind: "down"; misses: number; lastStatus: number | null }
  | { kind: "up"; status: number };

/** Statuses that say the probe got no answer from the peer (or a refusal to serve). */
export function isMiss(status: number): boolean {
  return status === 408 || status === 503;
}

export class OptionsProbeCore {
  #health: TrunkHealth = "up";
  #misses = 0;
  #seq = 0;
  #outstanding: { seq: number; sentAt: number } | undefined;
  #nextAt: number | undefined;
  #lastStatus: number | null = null;

  constructor(readonly settings: ProbeSettings) {
    if (settings.intervalMs <= 0 || settings.timeoutMs <= 0 || settings.missesToDown < 1) {
      throw new Error("probe settings must be positive");
    }
  }

  get health(): TrunkHealth {
    return this.#health;
  }

  get misses(): number {
    return this.#misses;
  }

  /** Advances the clock: counts a probe past its timeout as missed, sends the next when due. */
  tick(now: number): ProbeOutput[] {
    const out: ProbeOutput[] = [];
    if (this.#outstanding && now - this.#outstanding.sentAt >= this.settings.timeoutMs) {
      this.#outstanding = undefined;
      this.#miss(null, out);
    }
    // The first probe goes at the first tick; the next one an interval after the previous send.
    if (!this.#outstanding && (this.#nextAt === undefined || now >= this.#nextAt)) {
      this.#seq += 1;
      this.#outstanding = { seq: this.#seq, sentAt: now };
      this.#nextAt = now + this.settings.intervalMs;
      out.push({ kind: "send", seq: this.#seq });
    }
    return out;
  }

  /** The final response to probe `seq` (a local 408/503 included). Late answers are ignored. */
  response(seq: number, status: number): ProbeOutput[] {
    if (this.#outstanding?.seq !== seq || status < 200) return [];
    this.#outstanding = undefined;
    const out: ProbeOutput[] = [];
    if (isMiss(status)) this.#miss(status, out);
    else {
      this.#misses = 0;
      this.#lastStatus = status;
      if (this.#health === "down") {
        this.#health = "up";
        out.push({ kind: "up", status });
      }
    }
    return out;
  }

  #miss(status: number | null, out: ProbeOutput[]): void {
    this.#misses += 1;
    this.#lastStatus = status;
    if (this.#health === "up" && this.#misses >= this.settings.missesToDown) {
      this.#health = "down";
      out.push({ kind: "down", misses: this.#misses, lastStatus: this.#lastStatus });
    }
  }
}
