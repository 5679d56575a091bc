import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisLiveState } from "./redis-live-state.js";
import { simulate } from "./simulation.js";

const HOUR = 3_600_000;

// Same harness and invariants as simulation.memory.test.ts, on the real Redis; a shorter span
// (the morning ramp-up) keeps the file under ~20 s.
describe("simulated hotline (fake time) on Redis, invariants checked after every step", () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());

  it("Redis store: the morning peak, over random seeds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const state = new RedisLiveState(redis, `test:acd-sim:${randomUUID()}:`);
        try {
          const r = await simulate({ seed, state, startHour: 7.5, durationMs: HOUR });
          expect(r.answered).toBeGreaterThan(100);
          expect(r.requeued).toBeGreaterThan(3);
        } finally {
          await state.destroy();
        }
      }),
      { numRuns: 2, endOnFailure: true },
    );
  }, 60_000);

  it("leaves no keys behind", async () => {
    expect(await redis.keys("test:acd-sim:*")).toEqual([]);
  });
});
