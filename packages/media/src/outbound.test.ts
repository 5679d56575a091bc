import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutboundStream } from "./outbound.js";

describe("OutboundStream (SSRC/seq/ts rewriting)", () => {
  it("whatever the sources do, the far end sees seq +1 per packet in order and timestamps that never go back", () => {
    // A run: a source (one of 3) sends a burst of in-order packets from an arbitrary
    // seq/ts start (different sources live in unrelated number spaces).
    const run = fc.record({
      source: fc.integer({ min: 0, max: 2 }),
      seq0: fc.integer({ min: 0, max: 0xffff }),
      ts0: fc.integer({ min: 0, max: 0xffffffff }),
      packets: fc.integer({ min: 1, max: 40 }),
      pauseMs: fc.integer({ min: 0, max: 5000 }),
    });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 20 }), (runs) => {
        const sources = [{}, {}, {}];
        const out = new OutboundStream(1234);
        let now = 0;
        let prev: { seq: number; ts: number } | undefined;
        let previousSource: unknown;
        // Where each source's own numbering stands: a source that comes back goes on
        // from there (its clock ran meanwhile), a new one starts anywhere.
        const cursor = new Map<number, { seq: number; ts: number; at: number }>();
        for (const r of runs) {
          now += r.pauseMs;
          const c = cursor.get(r.source);
          const seq0 = c ? c.seq : r.seq0;
          const ts0 = c ? (c.ts + Math.round((now - c.at) * 8)) >>> 0 : r.ts0;
          for (let i = 0; i < r.packets; i++) {
            const o = out.next(sources[r.source], (seq0 + i) & 0xffff, (ts0 + i * 160) >>> 0, now, 160);
            if (prev) {
              expect((o.seq - prev.seq) & 0xffff).toBe(1);
              const dts = (o.ts - prev.ts) >>> 0;
              // Forward, by at least one frame, and not absurdly far (< 1 h of 8 kHz).
              expect(dts).toBeGreaterThanOrEqual(160);
              expect(dts).toBeLessThan(8000 * 3600);
            }
            // The marker flags exactly the packets where the source changed.
            expect(o.marker).toBe(sources[r.source] !== previousSource);
            previousSource = sources[r.source];
            prev = o;
            now += 20;
          }
          cursor.set(r.source, {
            seq: (seq0 + r.packets) & 0xffff,
            ts: (ts0 + r.packets * 160) >>> 0,
            at: now,
          });
        }
        expect(out.packetsSent).toBe(runs.reduce((n, r) => n + r.packets, 0));
      }),
      { numRuns: 300 },
    );
  });

  it("a pause within one source keeps its timestamps (the gap is the source's own)", () => {
    const out = new OutboundStream(1);
    const src = {};
    const a = out.next(src, 10, 1600, 0, 160);
    const b = out.next(src, 11, 1600 + 8000, 1000, 160); // 1 s of silence suppression
    expect((b.ts - a.ts) >>> 0).toBe(8000);
    expect(b.marker).toBe(false);
  });
});
