// Invariants of the default flow under random callers (fast-check): whatever the
// caller presses and whenever they hang up, whatever the queues and calendars do,
// the run ends, closes everything it opened, rates at most once and releases the
// call at most once.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultFlow } from "../src/default-flow.js";
import { runFlow } from "../src/interpreter.js";
import type { QueueOutcome } from "../src/port.js";
import { drive } from "./fake-clock.js";
import { audioCaller, type CallerScript, type QueueScript, ScriptedPort, videoCaller } from "./fake-port.js";

const outcome: fc.Arbitrary<QueueOutcome> = fc.oneof(
  fc.constant<QueueOutcome>({ kind: "answered", agentId: "1001", endedBy: "agent" }),
  fc.constant<QueueOutcome>({ kind: "answered", agentId: "1001", endedBy: "caller" }),
  fc.constant<QueueOutcome>({ kind: "overflow", reason: "max wait" }),
  fc.constant<QueueOutcome>({ kind: "abandoned" }),
  fc.constant<QueueOutcome>({ kind: "callback-accepted" }),
);
const queue: fc.Arbitrary<QueueScript> = fc.record({
  after: fc.integer({ min: 0, max: 180_000 }),
  outcome,
  talkMs: fc.integer({ min: 0, max: 600_000 }),
  status: fc.record({
    position: fc.integer({ min: 1, max: 200 }),
    estimatedWaitSeconds: fc.integer({ min: 0, max: 3600 }),
  }),
});
const key = fc.constantFrom(..."0123456789*#");

const script: fc.Arbitrary<CallerScript & { video: boolean }> = fc.record({
  video: fc.boolean(),
  keys: fc.array(fc.record({ at: fc.integer({ min: 0, max: 240_000 }), key }), { maxLength: 12 }),
  hangupAt: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }),
  open: fc.record({ english: fc.boolean(), "sign-language": fc.boolean() }),
  lists: fc.subarray(["black", "priority", "white"]),
  queues: fc.record({ general: queue, english: queue, "sign-language": queue }),
});

describe("default flow under random callers", () => {
  it("always ends, leaks nothing, rates at most once, releases at most once", async () => {
    await fc.assert(
      fc.asyncProperty(script, async ({ video, ...s }) => {
        const port = new ScriptedPort(s);
        const run = runFlow(defaultFlow, port, {
          caller: video ? videoCaller : audioCaller,
          signal: port.hangupSignal,
        });
        const result = await drive(port.clock, run, 24 * 3_600_000);

        expect(["hangup", "caller-hangup", "max-steps"]).toContain(result.end);
        // Only a caller who keeps declining the overflow callback can loop until the guard.
        if (result.end === "max-steps") {
          expect(Object.values(s.queues ?? {}).some((q) => q.outcome.kind === "overflow")).toBe(true);
        }
        expect(port.open).toBe(0);
        port.close();
        expect(port.clock.pending).toBe(0);
        expect(port.surveys.length).toBeLessThanOrEqual(1);
        expect(port.hangups.length).toBe(result.end === "hangup" ? 1 : 0);
        for (const step of result.path) expect(step.nodeId in defaultFlow.nodes).toBe(true);
        // Nothing is played to a caller who is talking to an agent. (Judged by what had
        // happened when the play began, not by the fake clock: an announcement begun in the
        // same millisecond just before the answer is legitimate, and is stopped by it.)
        expect(port.plays.filter((p) => p.talking)).toEqual([]);
        for (const p of port.plays) {
          const inTalk = port.conversations.some(({ from, to }) => p.at > from && p.at < to);
          if (inTalk) expect(p.talking).toBe(true);
        }
        if (s.lists?.includes("black")) expect(port.enqueued).toEqual([]);
        // No keys, no hangup: an audio caller is in the Mandarin queue within 15 s.
        if (!video && !s.lists?.includes("black") && s.keys?.length === 0 && s.hangupAt === undefined) {
          const startedAt = result.path[0]?.at ?? 0;
          expect(port.enqueued[0]?.queue).toBe("general");
          expect((port.enqueued[0]?.at ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThanOrEqual(15_000);
        }
      }),
      { numRuns: 300 },
    );
  });
});
