import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisLiveState } from "./redis-live-state.js";
import { simulate } from "./simulation.js";

const HOUR = 3_600_000;
const URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// Same harness and invariants as simulation.memory.test.ts, on the real Redis; a shorter span
// (half an hour of the morning peak) keeps the file under ~20 s.
describe("simulated hotline (fake time) on Redis, invariants checked after every step", () => {
  const r1 = new Redis(URL, { maxRetriesPerRequest: 1 });
  const r2 = new Redis(URL, { maxRetriesPerRequest: 1 });
  afterAll(() => {
    r1.disconnect();
    r2.disconnect();
  });

  it("one node: half an hour of the morning peak, over random seeds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const state = new RedisLiveState(r1, `test:acd-sim:${randomUUID()}:`);
        try {
          const r = await simulate({ seed, state, startHour: 8.5, durationMs: 0.5 * HOUR, load: 0.6 });
          expect(r.answered).toBeGreaterThan(50);
          expect(r.requeued).toBeGreaterThan(2);
        } finally {
          await state.destroy();
        }
      }),
      { numRuns: 1, endOnFailure: true },
    );
  }, 60_000);

  it("two nodes on two connections, routing rounds racing after every step, over random seeds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const prefix = `test:acd-sim:${randomUUID()}:`;
        const a = new RedisLiveState(r1, prefix);
        const b = new RedisLiveState(r2, prefix);
        try {
          const r = await simulate({
            seed,
            state: a,
            moreNodes: [b],
            startHour: 8.5,
            durationMs: 0.5 * HOUR,
            load: 0.6,
          });
          expect(r.answered).toBeGreaterThan(50);
          expect(r.requeued).toBeGreaterThan(2);
        } finally {
          await a.destroy();
        }
      }),
      { numRuns: 2, endOnFailure: true },
    );
  }, 60_000);

  it("leaves no keys behind", async () => {
    expect(await r1.keys("test:acd-sim:*")).toEqual([]);
  });
});
