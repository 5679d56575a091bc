/**
 * An injected clock so that pacing and RTCP timers can be tested in fake time.
 * `now()` is monotonic milliseconds (performance.now), never wall time, so that
 * NTP steps cannot make a player skip or stall.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once, `delayMs` from now. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};

/** A deterministic clock for tests: time moves only when `advance` is called. */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order (timers set by timers included). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.#timers) {
        if (t.at < nextAt || (t.at === nextAt && id < nextId)) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > end) break;
      const t = this.#timers.get(nextId)!;
      this.#timers.delete(nextId);
      this.#now = nextAt;
      t.fn();
    }
    this.#now = end;
  }
}

/**
 * Calls `tick(k)` for frame k at `start + k * periodMs`. Each due time is computed
 * from the start, not from the previous firing, so timer lateness never accumulates:
 * after an hour of 20 ms frames the k-th frame is still due at exactly k * 20 ms.
 */
export class Pacer {
  #frame = 0;
  #start: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly tick: (frame: number) => void,
  ) {
    this.#start = clock.now();
    this.#schedule();
  }

  get framesSent(): number {
    return this.#frame;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const due = this.#start + this.#frame * this.periodMs;
    this.#timer = this.clock.setTimer(() => this.#fire(), due - this.clock.now());
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.clock.now();
    // A stall longer than 1 s is dropped rather than burst out.
    if (now - (this.#start + this.#frame * this.periodMs) > 1000) {
      this.#start = now - this.#frame * this.periodMs;
    }
    // Catch up at most two frames per firing, then yield: the next timer (0 ms
    // when still behind) fires after the event loop has polled the sockets, so the
    // packets that arrived during a stall are queued before they are consumed.
    for (let n = 0; n < 2 && !this.#stopped && this.#start + this.#frame * this.periodMs <= now; n++) {
      const k = this.#frame++;
      this.tick(k);
    }
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
