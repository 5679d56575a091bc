/**
 * The DTMF digit-collection state machine, pure: fed keys and timer ticks from
 * an injected clock. An engine adapter (and the tests' scripted port) builds
 * CallPort.collectDigits on it, so its timing rules are tested once, in fake time.
 *
 *   collecting ── key (count = max) ──────────▶ done "max"
 *       │   ├──── key = terminator ──────────▶ done "terminator"
 *       │   └──── first/inter-digit timer ───▶ done "timeout"
 *       └──────── stop() ────────────────────▶ done "stopped"
 */
import type { Clock, CollectEnd, CollectResult, TimerHandle } from "./port.js";

export interface DigitCollectorOptions {
  maxDigits: number;
  terminator?: string | undefined;
  firstDigitTimeoutMs: number;
  interDigitTimeoutMs: number;
  initialDigits?: string | undefined;
}

export class DigitCollector {
  #digits = "";
  #timer: TimerHandle | undefined;
  #done = false;
  readonly result: Promise<CollectResult>;
  #resolve!: (r: CollectResult) => void;

  constructor(
    private readonly opts: DigitCollectorOptions,
    private readonly clock: Clock,
  ) {
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    if (opts.maxDigits < 1) throw new RangeError("maxDigits must be at least 1");
    for (const key of opts.initialDigits ?? "") this.feed(key);
    if (!this.#done) this.#arm(this.#digits === "" ? opts.firstDigitTimeoutMs : opts.interDigitTimeoutMs);
  }

  get done(): boolean {
    return this.#done;
  }

  /** One DTMF key from the caller; ignored once done. */
  feed(key: string): void {
    if (this.#done) return;
    if (this.opts.terminator !== undefined && key === this.opts.terminator) {
      this.#finish("terminator");
      return;
    }
    this.#digits += key;
    if (this.#digits.length >= this.opts.maxDigits) this.#finish("max");
    else this.#arm(this.opts.interDigitTimeoutMs);
  }

  /** Stops collecting (caller hung up, verb killed); idempotent. */
  stop(): void {
    this.#finish("stopped");
  }

  #arm(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.clock.setTimer(() => this.#finish("timeout"), ms);
  }

  #finish(end: CollectEnd): void {
    if (this.#done) return;
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#resolve({ digits: this.#digits, end });
  }
}
