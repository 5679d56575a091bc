import { describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { runLoad } from "../support/sipp.js";

const haveSipp = binaryAvailable("sipp");

/**
 * Issue 6, done when: "a sipp load scenario (caller side) of 20 calls per second through
 * greeting and queue to answering agents, for a bounded time, loses no call".
 * 10 s at 20 cps = 200 callers; each hears the greeting (≈ 9 s with its grace), waits in the
 * general queue, is answered by one of 80 sipp agents (registered with digest), talks 2 s,
 * the agent hangs up, and the caller leaves during the survey.
 */
describe.skipIf(!haveSipp)("load: 20 calls per second through greeting and queue", () => {
  it("places 200 calls and loses none: every caller's call completes and every row is answered and completed", async () => {
    const f = await runLoad({
      cps: 20,
      calls: 200,
      agents: 80,
      holdMs: 16_000,
      talkMs: 2000,
      postgres: true,
      mediaWorkers: 1,
      ...(process.env.LOAD_LOG ? { log: (l: string) => console.log(l) } : {}),
    });
    const { callerOutput, agentOutput, ...figures } = f;
    console.log(
      `load-20cps placed=${f.placed} answered=${f.answered} lost=${f.lost} setup_p50_ms=${f.setupP50Ms} setup_p99_ms=${f.setupP99Ms} wait_p50_s=${f.waitP50S.toFixed(1)} wait_p99_s=${f.waitP99S.toFixed(1)} cpu_pct=${f.cpuPct.toFixed(0)} wall_s=${f.wallS.toFixed(0)}`,
    );
    const why = `${JSON.stringify(figures)}\n--- callers\n${callerOutput}\n--- agents\n${agentOutput}`;
    expect(f.placed, why).toBe(200);
    expect(f.callerSuccessful, why).toBe(200);
    expect(f.callerFailed, why).toBe(0);
    expect(f.agentSuccessful, why).toBe(200);
    expect(f.rows, why).toBe(200);
    expect(f.answered, why).toBe(200);
    expect(f.completed, why).toBe(200);
    expect(f.lost, why).toBe(0);
    expect(f.legsLeft, why).toBe(0);
    expect(f.agentStates, why).toEqual({ READY: 80 });
  }, 150_000);
});
