import { describe, expect, it } from "vitest";
import { mixFrame } from "./mixer.js";

const frame = (v: number, n = 4) => new Int16Array(n).fill(v);
const outs = (k: number, n = 4) => Array.from({ length: k }, () => new Int32Array(n));

describe("mixFrame", () => {
  it("N−1: each normal party hears the sum of the others", () => {
    const o = outs(3);
    mixFrame([frame(100), frame(20), frame(3)], ["normal", "normal", "normal"], o, new Int32Array(4));
    expect(o.map((x) => x[0])).toEqual([23, 103, 120]);
  });

  it("listen: hears everyone, heard by nobody", () => {
    const o = outs(3);
    mixFrame([frame(100), frame(20), frame(5000)], ["normal", "normal", "listen"], o, new Int32Array(4));
    expect(o.map((x) => x[0])).toEqual([20, 100, 120]);
  });

  it("whisper: the supervisor is heard by the agent only", () => {
    // 0 caller, 1 agent, 2 supervisor whispering to 1.
    const o = outs(3);
    mixFrame([frame(100), frame(20), frame(7)], ["normal", "normal", 1], o, new Int32Array(4));
    expect(o.map((x) => x[0])).toEqual([20, 107, 120]);
  });

  it("clips (saturates) instead of wrapping", () => {
    const o = outs(3);
    mixFrame(
      [frame(30000), frame(30000), frame(-30000)],
      ["normal", "normal", "normal"],
      o,
      new Int32Array(4),
    );
    expect(o[0]![0]).toBe(0);
    expect(o[2]![0]).toBe(32767);
    const n = outs(3);
    mixFrame([frame(-30000), frame(-30000), frame(0)], ["normal", "normal", "normal"], n, new Int32Array(4));
    expect(n[2]![0]).toBe(-32768);
  });
});
