import { describe, expect, it } from "vitest";
import { coalesce } from "./coalesce.js";

describe("coalesce", () => {
  it("collapses calls made during a run into one more run, which starts after the last call", async () => {
    const starts: number[] = [];
    let release: (() => void) | null = null;
    let calls = 0;
    const run = coalesce(async () => {
      starts.push(calls);
      await new Promise<void>((r) => {
        release = r;
      });
    });
    calls = 1;
    const first = run();
    for (calls = 2; calls <= 10; calls++) void run();
    expect(starts).toEqual([1]);
    release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(starts).toEqual([1, 11]);
    release!();
    await first;
    expect(starts).toHaveLength(2);
    // Idle again: the next call runs at once.
    const later = run();
    expect(starts).toHaveLength(3);
    release!();
    await later;
  });

  it("keeps working after a failed run", async () => {
    let n = 0;
    const run = coalesce(async () => {
      n++;
      if (n === 1) throw new Error("boom");
    });
    await expect(run()).rejects.toThrow("boom");
    await run();
    expect(n).toBe(2);
  });
});
