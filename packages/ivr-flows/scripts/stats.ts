// Prints the figures of this package: prompt files, how soon the default flow
// queues a caller with the real prompt durations, and what validation and one
// interpreted call cost in CPU. Run: pnpm --filter @hotline12345/ivr-flows stats
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { defaultFlow } from "../src/default-flow.js";
import { runFlow } from "../src/interpreter.js";
import { LANGUAGES, promptCatalogue, promptFile } from "../src/prompts.js";
import { parseFlow } from "../src/validate.js";
import { readWavInfo } from "../src/wav.js";
import { drive } from "../test/fake-clock.js";
import { audioCaller, ScriptedPort } from "../test/fake-port.js";

const durationMs = (name: string, lang: "zh" | "en") =>
  readWavInfo(readFileSync(promptFile(name, lang))).durationMs;

let files = 0;
let bytes = 0;
for (const lang of LANGUAGES) {
  const dir = dirname(promptFile("greeting", lang));
  for (const f of readdirSync(dir)) {
    files++;
    bytes += statSync(`${dir}/${f}`).size;
  }
}
console.log(
  `prompts: ${Object.keys(promptCatalogue).length} names, ${files} files, ${(bytes / 1024).toFixed(0)} KiB`,
);
for (const name of ["greeting", "english-press-2", "blacklist-notice", "survey-question", "hold-music"]) {
  console.log(
    `  ${name.padEnd(18)} zh ${(durationMs(name, "zh") / 1000).toFixed(2)} s   en ${(durationMs(name, "en") / 1000).toFixed(2)} s`,
  );
}

// Answer → enqueue in the default flow, prompts as long as their files, caller pressing nothing.
const flow = parseFlow(defaultFlow);
const realLength = (ref: { name: string; lang: "zh" | "en" }) => durationMs(ref.name, ref.lang);
const answered = { after: 30_000, outcome: { kind: "answered", agentId: "1001", endedBy: "agent" } as const };
{
  const port = new ScriptedPort({ promptMs: realLength, queues: { general: answered } });
  const result = await drive(port.clock, runFlow(flow, port, { caller: audioCaller }));
  const t0 = result.path[0]?.at ?? 0;
  console.log(
    `default flow: answer → general queue ${((port.enqueued[0]?.at ?? 0) - t0) / 1000} s (GB/T 33358 target: answer within 15 s)`,
  );
}

// CPU cost.
const N = 2000;
let t = performance.now();
for (let i = 0; i < N; i++) parseFlow(defaultFlow);
console.log(`validate default flow: ${(((performance.now() - t) / N) * 1000).toFixed(0)} µs per parse`);

t = performance.now();
const runs = 1000;
for (let i = 0; i < runs; i++) {
  const port = new ScriptedPort({
    queues: { general: answered },
    answers: [{ prompt: "survey-question", key: "4" }],
  });
  await drive(port.clock, runFlow(flow, port, { caller: audioCaller }));
}
console.log(
  `full normal call (greeting → queue → survey → thanks) on the scripted port: ${((performance.now() - t) / runs).toFixed(2)} ms wall per call, fake-time driver included`,
);
