import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFlow } from "../src/default-flow.js";
import { LANGUAGES, promptCatalogue, promptFile } from "../src/prompts.js";
import { sayNumber } from "../src/say.js";
import type { FlowNode } from "../src/schema.js";
import { parseFlow, promptsOf } from "../src/validate.js";
import { readWavInfo } from "../src/wav.js";

const names = Object.keys(promptCatalogue);

describe("prompt files", () => {
  it.each(names.flatMap((n) => LANGUAGES.map((l) => [n, l] as const)))(
    "%s (%s) is an 8 kHz mono 16-bit PCM WAV with sound in it",
    (name, lang) => {
      const buf = readFileSync(promptFile(name, lang));
      const info = readWavInfo(buf);
      expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
      expect(info.durationMs).toBeGreaterThan(150);
      // Not silence: some sample is louder than -40 dBFS.
      const data = buf.subarray(buf.length - info.dataBytes);
      let peak = 0;
      for (let i = 0; i + 1 < data.length; i += 2) peak = Math.max(peak, Math.abs(data.readInt16LE(i)));
      expect(peak).toBeGreaterThan(327);
    },
  );

  it("there are no prompt files outside the catalogue", () => {
    for (const lang of LANGUAGES) {
      const dir = dirname(promptFile("greeting", lang));
      const files = readdirSync(dir).filter((f) => f.endsWith(".wav"));
      expect(files.map((f) => f.slice(0, -4)).sort()).toEqual([...names].sort());
    }
  });

  it("every prompt the default flow can play exists in both languages", () => {
    const flow = parseFlow(defaultFlow);
    const used = new Set<string>(Object.values(flow.nodes).flatMap((n: FlowNode) => promptsOf(n)));
    // Queue announcements and say-number pieces (positions and minutes up to 9999).
    for (const p of ["queue-position-pre", "queue-position-post", "wait-pre", "wait-minutes"]) used.add(p);
    for (const n of [0, 1, 12, 20, 99, 101, 1234, 9999, 12345]) {
      for (const lang of LANGUAGES) for (const p of sayNumber(n, lang)) used.add(p);
    }
    for (const name of used) {
      for (const lang of LANGUAGES)
        expect(() => readFileSync(promptFile(name, lang)), `${lang}/${name}`).not.toThrow();
    }
  });

  it("the greeting and the English hint fit well inside the 15 s answer target (GB/T 33358-2016)", () => {
    const ms = ["greeting", "english-press-2"].reduce(
      (sum, n) => sum + readWavInfo(readFileSync(promptFile(n, "zh"))).durationMs,
      0,
    );
    const greeting = defaultFlow.nodes.greeting;
    expect(ms + greeting.timeoutMs).toBeLessThan(15_000);
  });

  it("feature-code confirmations exist for agents on plain SIP phones", () => {
    for (const n of ["agent-ready", "agent-not-ready", "agent-logged-out", "wrap-up-ended"]) {
      expect(names).toContain(n);
    }
  });
});
