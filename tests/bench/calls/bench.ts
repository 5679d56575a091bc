/**
 * pnpm bench:calls — the 20 cps load scenario of tests/e2e/load-20cps.test.ts with its
 * parameters taken from the environment, printing figures instead of asserting them:
 *
 *   CPS        new calls a second (default 20)
 *   CALLS      calls placed in all (default 10 s worth: CPS × 10)
 *   AGENTS     sipp agents registered with digest and put READY (default 80)
 *   HOLD_MS    how long a caller stays on after the IVR answers (default 16000)
 *   TALK_MS    how long an agent talks before hanging up (default 2000)
 *   POSTGRES   1 (default): the Postgres server at TEST_DATABASE_URL; 0: PGlite in process
 *   MEDIA_WORKERS  media worker threads (default 1)
 *
 * A caller is lost when sipp did not see its call end normally, or its call row is not
 * answered and completed. Not a test: it never fails on a number (only on a broken setup).
 * Its last line is machine-readable.
 */
import { loadavg } from "node:os";
import { runLoad } from "../../support/sipp.js";

function num(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${v}`);
  return n;
}

const cps = num("CPS", 20);
const calls = Math.round(num("CALLS", cps * 10));
const agents = Math.round(num("AGENTS", 80));
const holdMs = num("HOLD_MS", 16_000);
const talkMs = num("TALK_MS", 2000);
const postgres = process.env.POSTGRES !== "0";
const mediaWorkers = Math.round(num("MEDIA_WORKERS", 1));

console.log(
  `bench:calls cps=${cps} calls=${calls} agents=${agents} hold_ms=${holdMs} talk_ms=${talkMs} store=${postgres ? "postgres" : "pglite"} media_workers=${mediaWorkers} loadavg=${loadavg()
    .map((l) => l.toFixed(1))
    .join("/")}`,
);
const f = await runLoad({
  cps,
  calls,
  agents,
  holdMs,
  talkMs,
  postgres,
  mediaWorkers,
  log: (line) => console.log(`  ${line}`),
});
console.log(
  `  callers: ${f.callerSuccessful} ended normally, ${f.callerFailed} failed; agents: ${f.agentSuccessful} answered and hung up, ${f.agentFailed} failed`,
);
console.log(
  `  call rows: ${f.rows}, answered ${f.answered}, completed ${f.completed}; outcomes ${JSON.stringify(f.outcomes)}`,
);
console.log(`  afterwards: ${f.legsLeft} engine legs left, agents ${JSON.stringify(f.agentStates)}`);
if (f.lost > 0) console.log(`--- callers (sipp)\n${f.callerOutput}\n--- agents (sipp)\n${f.agentOutput}`);
const fixed = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : "na");
console.log(
  `bench:calls placed=${f.placed} answered=${f.answered} lost=${f.lost} setup_p50_ms=${fixed(f.setupP50Ms, 0)} setup_p99_ms=${fixed(f.setupP99Ms, 0)} wait_p50_s=${fixed(f.waitP50S, 1)} wait_p99_s=${fixed(f.waitP99S, 1)} cpu_pct=${fixed(f.cpuPct, 0)} wall_s=${fixed(f.wallS, 0)} loadavg=${loadavg()[0]?.toFixed(1)}`,
);
