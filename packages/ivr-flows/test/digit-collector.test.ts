import { describe, expect, it } from "vitest";
import { DigitCollector } from "../src/digit-collector.js";
import { FakeClock } from "./fake-clock.js";

const opts = { maxDigits: 4, terminator: "#", firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000 };

describe("DigitCollector", () => {
  it("ends at maxDigits", async () => {
    const clock = new FakeClock();
    const c = new DigitCollector(opts, clock);
    for (const k of "12345") c.feed(k);
    expect(await c.result).toEqual({ digits: "1234", end: "max" });
    expect(clock.pending).toBe(0);
  });

  it("ends at the terminator, which is not kept", async () => {
    const c = new DigitCollector(opts, new FakeClock());
    for (const k of "12#") c.feed(k);
    expect(await c.result).toEqual({ digits: "12", end: "terminator" });
  });

  it("times out waiting for the first digit after firstDigitTimeoutMs", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const c = new DigitCollector(opts, clock);
    clock.fireNext();
    expect(clock.now() - t0).toBe(5000);
    expect(await c.result).toEqual({ digits: "", end: "timeout" });
  });

  it("each digit re-arms the inter-digit timer", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const c = new DigitCollector(opts, clock);
    clock.setTimer(() => c.feed("1"), 1000);
    clock.setTimer(() => c.feed("2"), 2500);
    while (clock.fireNext()) {}
    expect(await c.result).toEqual({ digits: "12", end: "timeout" });
    expect(clock.now() - t0).toBe(4500);
  });

  it("initial digits count and start the inter-digit timer", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const c = new DigitCollector({ ...opts, initialDigits: "9" }, clock);
    clock.fireNext();
    expect(clock.now() - t0).toBe(2000);
    expect(await c.result).toEqual({ digits: "9", end: "timeout" });
  });

  it("stop is idempotent and cancels its timer; later keys are ignored", async () => {
    const clock = new FakeClock();
    const c = new DigitCollector(opts, clock);
    c.feed("1");
    c.stop();
    c.stop();
    c.feed("2");
    expect(await c.result).toEqual({ digits: "1", end: "stopped" });
    expect(clock.pending).toBe(0);
  });
});
