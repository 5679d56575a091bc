import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";
import { TypedEmitter } from "./events.js";

describe("TypedEmitter", () => {
  it("a throwing listener neither breaks the emitter nor the listeners after it", () => {
    const errors: unknown[] = [];
    const em = new TypedEmitter<{ x: number }>((e) => errors.push(e));
    const got: number[] = [];
    em.on("x", () => {
      throw new Error("boom");
    });
    const off = em.on("x", (n) => got.push(n));
    em.emit("x", 1);
    off();
    em.emit("x", 2);
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(2);
  });
});

describe("FakeClock", () => {
  it("fires due timers in order at their own instant and leaves none behind", async () => {
    const c = new FakeClock(1_000);
    const fired: [string, number][] = [];
    c.setTimer(300, () => fired.push(["b", c.now()]));
    c.setTimer(100, () => {
      fired.push(["a", c.now()]);
      c.setTimer(50, () => fired.push(["c", c.now()]));
    });
    const dropped = c.setTimer(200, () => fired.push(["x", c.now()]));
    c.clearTimer(dropped);
    await c.advance(1_000);
    expect(fired).toEqual([
      ["a", 1_100],
      ["c", 1_150],
      ["b", 1_300],
    ]);
    expect(c.now()).toBe(2_000);
    expect(c.pendingTimers).toBe(0);
  });
});
