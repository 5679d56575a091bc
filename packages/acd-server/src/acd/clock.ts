/**
 * The only source of time for the ACD. Production uses {@link systemClock}; tests
 * and the simulation use {@link FakeClock} so that ring timeouts, maximum waits
 * and wrap-up timers run in fake time, with no sleeps.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const systemClock: Clock = (() => {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimer(delayMs, fn) {
      const id = next++;
      const t = setTimeout(
        () => {
          live.delete(id);
          fn();
        },
        Math.max(0, delayMs),
      );
      live.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = live.get(handle.id);
      if (t !== undefined) {
        clearTimeout(t);
        live.delete(handle.id);
      }
    },
  };
})();

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Deterministic clock: timers fire only inside {@link FakeClock.advance}. */
export class FakeClock implements Clock {
  #now: number;
  #timers: FakeTimer[] = [];
  #next = 1;

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t: FakeTimer = { id: this.#next++, due: this.#now + Math.max(0, Math.round(delayMs)), fn };
    this.#timers.push(t);
    return { id: t.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle.id);
  }

  /** Number of armed timers: tests assert it returns to zero (no leaked timers). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Time of the earliest armed timer, if any. */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const t of this.#timers) if (best === undefined || t.due < best) best = t.due;
    return best;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (ties by creation).
   * `settle` runs after each timer so asynchronous work a timer started finishes
   * at that timer's instant, not at the end of the jump.
   */
  async advance(ms: number, settle?: () => Promise<void>): Promise<void> {
    const end = this.#now + ms;
    // work already started finishes at the current instant, before time moves
    if (settle) await settle();
    for (;;) {
      let idx = -1;
      for (let i = 0; i < this.#timers.length; i++) {
        const t = this.#timers[i]!;
        if (t.due <= end && (idx < 0 || t.due < this.#timers[idx]!.due)) idx = i;
      }
      if (idx < 0) break;
      const t = this.#timers[idx]!;
      this.#timers.splice(idx, 1);
      this.#now = Math.max(this.#now, t.due);
      t.fn();
      if (settle) await settle();
    }
    this.#now = end;
    if (settle) await settle();
  }
}
