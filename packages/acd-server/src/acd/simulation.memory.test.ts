import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryLiveState } from "./memory-live-state.js";
import { InvariantViolation, simulate } from "./simulation.js";
import type { AgentLive, QueueItem } from "./types.js";

const HOUR = 3_600_000;

describe("simulated hotline day (fake time), invariants checked after every step", () => {
  it("memory store: 60 agents, a full day, over random seeds", async () => {
    const reports: Awaited<ReturnType<typeof simulate>>[] = [];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        reports.push(await simulate({ seed, state: new MemoryLiveState() }));
      }),
      { numRuns: 2, endOnFailure: true },
    );
    console.log(`simulation memory: ${JSON.stringify(reports)}`);
    for (const r of reports) {
      // the day really exercised what the invariants are about
      expect(r.calls).toBeGreaterThan(2_000);
      expect(r.answered).toBeGreaterThan(1_000);
      expect(r.requeued).toBeGreaterThan(50);
      expect(r.abandoned).toBeGreaterThan(10);
      expect(r.transferred).toBeGreaterThan(10);
      expect(r.callbacks).toBeGreaterThan(10);
      expect(r.claimed).toBeGreaterThan(10); // ring-all pick-ups and hand-worked tasks
    }
  }, 60_000);

  it("the harness catches a store that loses a call given back after a ring timeout", async () => {
    class LossyState extends MemoryLiveState {
      override async release(v: number, next: AgentLive, itemId: string, requeue?: QueueItem) {
        return await super.release(v, next, itemId, requeue?.kind === "call" ? undefined : requeue);
      }
    }
    await expect(
      simulate({ seed: 7, state: new LossyState(), startHour: 8, durationMs: HOUR }),
    ).rejects.toThrow(/lost/);
  });

  it("the harness catches a store that requeues at the back instead of the original place", async () => {
    class BackOfTheLine extends MemoryLiveState {
      override async release(v: number, next: AgentLive, itemId: string, requeue?: QueueItem) {
        return await super.release(v, next, itemId, requeue && { ...requeue, seq: requeue.seq + 1_000_000 });
      }
    }
    await expect(
      simulate({ seed: 7, state: new BackOfTheLine(), startHour: 8, durationMs: HOUR }),
    ).rejects.toBeInstanceOf(InvariantViolation);
  });
  it("the harness catches routing that skips the oldest highest-priority call", async () => {
    class NewestFirst extends MemoryLiveState {
      override async peekMany(queueIds: readonly string[], limit: number) {
        const m = await super.peekMany(queueIds, limit);
        for (const [q, items] of m) m.set(q, items.reverse());
        return m;
      }
    }
    await expect(
      simulate({ seed: 7, state: new NewestFirst(), startHour: 8, durationMs: HOUR }),
    ).rejects.toThrow(/while .* waited/);
  });
});
