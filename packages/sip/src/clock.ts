/**
 * Time, injected: protocol cores never call setTimeout themselves, so timers A–K (RFC 3261 §17) run
 * in fake time in unit tests and a test can assert that nothing is left pending.
 */
export type TimerId = number;

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerId;
  clearTimer(id: TimerId): void;
}

/** The real clock; `pending` lets a test assert nothing leaked. */
export class RealClock implements Clock {
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private next = 1;

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.next++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    t.unref?.();
    this.timers.set(id, t);
    return id;
  }

  clearTimer(id: TimerId): void {
    const t = this.timers.get(id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(id);
    }
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** Deterministic clock for tests: time moves only through `advance`. */
export class FakeClock implements Clock {
  private t = 0;
  private next = 1;
  private readonly timers = new Map<TimerId, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.next++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Move time forward, firing due timers in order (timers set while firing fire too if due). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let dueId: TimerId | undefined;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, x] of this.timers) {
        if (x.at <= end && (x.at < dueAt || (x.at === dueAt && dueId !== undefined && id < dueId))) {
          dueAt = x.at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const x = this.timers.get(dueId)!;
      this.timers.delete(dueId);
      this.t = x.at;
      x.fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}
