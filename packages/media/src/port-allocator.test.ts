import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MediaError, MediaErrorCode } from "./errors.js";
import { PortAllocator } from "./port-allocator.js";

describe("PortAllocator", () => {
  it("hands out even ports, round-robin, and fails with PORTS_EXHAUSTED", () => {
    const a = new PortAllocator(20001, 20010);
    const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate()];
    expect(got).toEqual([20002, 20004, 20006, 20008]);
    try {
      a.allocate();
      expect.unreachable();
    } catch (e) {
      expect((e as MediaError).code).toBe(MediaErrorCode.PortsExhausted);
    }
    a.release(20004);
    expect(a.allocate()).toBe(20004);
  });

  it("never hands out a port twice and never leaks (random allocate/release)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (ops) => {
        const a = new PortAllocator(30000, 30039);
        const held: number[] = [];
        for (const alloc of ops) {
          if (alloc && held.length < a.size) {
            const p = a.allocate();
            expect(held).not.toContain(p);
            expect(p % 2).toBe(0);
            held.push(p);
          } else if (held.length > 0) {
            a.release(held.shift()!);
          }
          expect(a.inUse).toBe(held.length);
        }
      }),
    );
  });

  it("splits into disjoint ranges for workers", () => {
    const parts = new PortAllocator(20000, 29999).split(2);
    expect(parts.map((p) => [p.min, p.max])).toEqual([
      [20000, 24999],
      [25000, 29999],
    ]);
  });
});
