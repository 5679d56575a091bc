import type { Clock, TimerHandle } from "../src/port.js";

/** Monday 2026-11-30 10:00 in Shanghai (02:00 UTC): inside office hours. */
export const MONDAY_10H_SHANGHAI = Date.UTC(2026, 10, 30, 2, 0, 0);

/** Time moves only when the test says so; timers fire in order. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = MONDAY_10H_SHANGHAI) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), fn });
    return { cancel: () => this.#timers.delete(id) };
  }
  get pending(): number {
    return this.#timers.size;
  }
  /** Jumps to the earliest timer and fires it; false when no timer is pending. */
  fireNext(): boolean {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.#timers) if (!best || entry[1].at < best[1].at) best = entry;
    if (!best) return false;
    this.#timers.delete(best[0]);
    this.#now = Math.max(this.#now, best[1].at);
    best[1].fn();
    return true;
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `p` to completion in fake time: lets promises settle, then fires the next
 * timer, and so on. Throws if nothing is pending while `p` is still open (a
 * deadlock) or past `limitMs` of fake time (a runaway loop).
 */
export async function drive<T>(clock: FakeClock, p: Promise<T>, limitMs = 3_600_000): Promise<T> {
  const start = clock.now();
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (;;) {
    for (let i = 0; i < 5; i++) await tick();
    if (done) return p;
    if (clock.now() - start > limitMs) throw new Error(`still running after ${limitMs} ms of fake time`);
    if (!clock.fireNext()) throw new Error("stalled: the flow waits on something no timer will settle");
  }
}
