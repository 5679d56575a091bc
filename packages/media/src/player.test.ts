import { describe, expect, it } from "vitest";
import { type Clock, FakeClock } from "./clock.js";
import type { DtmfReport } from "./dtmf.js";
import { TypedEmitter } from "./events.js";
import { g711Encode } from "./g711.js";
import { decodePrompt, Player } from "./player.js";
import { encodeWav } from "./wav.js";

class CaptureSink {
  frames: { at: number; index: number; first: number; last: number }[] = [];
  constructor(private readonly clock: Clock) {}
  sendPcm(_source: unknown, frameIndex: number, pcm: Int16Array): void {
    this.frames.push({ at: this.clock.now(), index: frameIndex, first: pcm[0]!, last: pcm[pcm.length - 1]! });
  }
}

class Keys extends TypedEmitter<{ dtmf: [DtmfReport] }> {
  press(key: DtmfReport["key"]): void {
    this.emit("dtmf", { key, durationMs: 100, source: "rfc4733", endSeen: true });
  }
}

/** A clock whose timers fire up to 15 ms late, as a busy event loop would. */
class LateClock implements Clock {
  #seed = 7;
  constructor(readonly inner: FakeClock) {}
  now(): number {
    return this.inner.now();
  }
  setTimer(fn: () => void, delayMs: number) {
    this.#seed = (this.#seed * 1103515245 + 12345) & 0x7fffffff;
    return this.inner.setTimer(fn, delayMs + (this.#seed % 16));
  }
}

const ramp = (n: number, start = 1): Int16Array => Int16Array.from({ length: n }, (_, i) => start + i);

describe("Player", () => {
  it("plays a sequence frame by frame, pads the last frame, then reports finished", async () => {
    const clock = new FakeClock();
    const sink = new CaptureSink(clock);
    const p = new Player(sink, [ramp(200), ramp(100, 1000)], { clock });
    clock.advance(1000);
    expect(await p.done).toEqual({ reason: "finished", frames: 2 });
    expect(sink.frames.map((f) => [f.at, f.index, f.first])).toEqual([
      [0, 0, 1],
      [20, 1, 161],
    ]);
    // 300 samples: the second frame holds 40 + 100 samples, the rest silence.
    expect(sink.frames[1]!.last).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("loops music on hold for an hour of late timers without drift: 180,000 frames", () => {
    const fake = new FakeClock();
    const clock = new LateClock(fake);
    const sink = new CaptureSink(fake);
    const p = new Player(sink, [ramp(8000)], { clock, loop: true });
    fake.advance(3_600_000);
    // Frame k is due at k·20 ms; a late timer sends it (and any others due) late,
    // but the count never falls behind by more than the 15 ms of lateness.
    expect(sink.frames.length).toBeGreaterThanOrEqual(180_000);
    expect(sink.frames.length).toBeLessThanOrEqual(180_001);
    let worst = 0;
    for (const f of sink.frames) worst = Math.max(worst, f.at - f.index * 20);
    expect(worst).toBeLessThanOrEqual(15);
    // The loop restarts the prompt: frame 50 (sample 8000) starts at the prompt's first sample.
    expect(sink.frames[50]!.first).toBe(1);
    p.stop();
    expect(fake.pendingTimers).toBe(0);
  });

  it("stops on DTMF (barge-in), only for the listed keys", async () => {
    const clock = new FakeClock();
    const keys = new Keys();
    const p = new Player(new CaptureSink(clock), [ramp(8000)], {
      clock,
      stopOnDtmf: ["1", "2"],
      dtmfSource: keys,
    });
    clock.advance(100);
    keys.press("9");
    clock.advance(100);
    keys.press("2");
    const r = await p.done;
    expect(r.reason).toBe("dtmf");
    expect(r).toMatchObject({ key: "2" });
    expect(keys.listenerCount("dtmf")).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("stop() is idempotent and reports stopped", async () => {
    const clock = new FakeClock();
    const p = new Player(new CaptureSink(clock), [ramp(8000)], { clock });
    clock.advance(60);
    p.stop();
    p.stop();
    expect(await p.done).toMatchObject({ reason: "stopped" });
  });

  it("decodes WAV prompts: 16-bit PCM and G.711; rejects other rates", () => {
    const pcm = ramp(10, -5);
    expect([...decodePrompt(encodeWav(pcm))]).toEqual([...pcm]);
    const wav = encodeWav(new Int16Array(0));
    // Build a μ-law WAV by hand: format 7, 8 bits.
    const mu = g711Encode("pcmu", Int16Array.from([0, 1000, -1000]));
    const file = new Uint8Array(44 + mu.length);
    file.set(wav);
    const v = new DataView(file.buffer);
    v.setUint16(20, 7, true);
    v.setUint16(34, 8, true);
    v.setUint32(40, mu.length, true);
    file.set(mu, 44);
    const decoded = decodePrompt(file);
    expect(decoded.length).toBe(3);
    expect(Math.abs(decoded[1]! - 1000)).toBeLessThan(40);
    expect(() => decodePrompt(encodeWav(pcm, 16000))).toThrowError(/8 kHz mono/);
  });
});
