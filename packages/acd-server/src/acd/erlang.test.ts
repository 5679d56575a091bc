import { describe, expect, it } from "vitest";
import { erlangC, erlangCAsaMs, estimatedWaitMs } from "./erlang.js";

/** Textbook Erlang C by the explicit sum, to check the recurrence against. */
function erlangCDirect(n: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < n; k++) {
    if (k > 0) term = (term * a) / k;
    sum += term;
  }
  const top = ((term * a) / n) * (n / (n - a));
  return top / (sum + top);
}

describe("Erlang C", () => {
  it.each([
    [1, 0.5],
    [10, 8],
    [60, 50],
    [100, 95],
  ])("matches the explicit formula for N=%d, A=%d", (n, a) => {
    expect(erlangC(n, a)).toBeCloseTo(erlangCDirect(n, a), 10);
  });
  it("M/M/1: P(wait) = rho", () => {
    expect(erlangC(1, 0.3)).toBeCloseTo(0.3, 12);
  });
  it("overload waits forever; no agents waits forever", () => {
    expect(erlangCAsaMs({ arrivalRatePerMs: 1 / 10_000, ahtMs: 200_000, staffed: 10 })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(estimatedWaitMs(1, { arrivalRatePerMs: 0, ahtMs: 1, staffed: 0 })).toBe(Number.POSITIVE_INFINITY);
  });
  it("ASA = C·AHT/(N−A)", () => {
    const m = { arrivalRatePerMs: 1 / 30_000, ahtMs: 240_000, staffed: 10 };
    expect(erlangCAsaMs(m)).toBeCloseTo((erlangC(10, 8) * 240_000) / 2, 6);
  });
  it("estimated wait grows with position and shrinks with staffed agents", () => {
    const m = { arrivalRatePerMs: 0, ahtMs: 300_000, staffed: 10 };
    expect(estimatedWaitMs(1, m)).toBe(15_000);
    expect(estimatedWaitMs(11, m)).toBe(315_000);
    expect(estimatedWaitMs(11, { ...m, staffed: 20 })).toBeLessThan(estimatedWaitMs(11, m));
  });
});
