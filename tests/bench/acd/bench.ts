/**
 * pnpm bench:acd — routing decision latency with 1,000 agents and 5,000 queued
 * calls, in memory and on Redis (REDIS_URL, default redis://127.0.0.1:6379).
 *
 * One sample = an agent becomes READY and the ACD makes its routing decision:
 * read the READY agents and the queue heads, pick the oldest highest-priority
 * call the agent can take, reserve it atomically and move the agent to RINGING
 * (everything from the setReady command until the ACD is idle again). Between
 * samples, outside the timing, the agent declines so the call returns to its
 * place and the queue stays at 5,000.
 *
 * Not a test: it prints figures. Its last line is machine-readable.
 */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
// The ACD domain is not (yet) re-exported from the package's root entry, so the bench
// imports its public index directly.
import {
  Acd,
  type AgentProfile,
  FakeClock,
  type LiveState,
  MemoryLiveState,
  queueConfig,
  RedisLiveState,
} from "@hotline12345/acd-server/acd";

const AGENTS = 1_000;
const CALLS = 5_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function run(name: string, state: LiveState, samples: number): Promise<{ p50: number; p99: number }> {
  const rnd = prng(12345);
  const queues = [
    queueConfig({ id: "general", requiredSkills: { general: 1 }, strategy: "longest-idle" }),
    queueConfig({ id: "tax", requiredSkills: { tax: 3 }, strategy: "skill-level-longest-idle" }),
    queueConfig({ id: "complaints", requiredSkills: { complaints: 1 } }),
    queueConfig({ id: "night", requiredSkills: { night: 1 } }), // staffed but empty: READY agents with nothing to take
  ];
  const agents: AgentProfile[] = Array.from({ length: AGENTS }, (_, i) => {
    const skills: Record<string, number> = i < 100 ? { night: 1 } : { general: 1 };
    if (i >= 100 && rnd() < 0.4) skills.tax = 1 + Math.floor(rnd() * 10);
    if (i >= 100 && rnd() < 0.3) skills.complaints = 5;
    return { id: `a${i}`, skills, languages: rnd() < 0.2 ? ["zh", "en"] : ["zh"] };
  });
  const clock = new FakeClock(Date.now());
  const acd = new Acd({ state, clock, queues, agents });
  const t0 = performance.now();
  for (const a of agents) await acd.login(a.id);
  for (let i = 0; i < 100; i++) await acd.setReady(`a${i}`); // 100 READY agents that match nothing
  for (let i = 0; i < CALLS; i++) {
    const u = rnd();
    await acd.enqueue({
      callId: `c${i}`,
      queueId: u < 0.7 ? "general" : u < 0.9 ? "tax" : "complaints",
      number: `138${String(i).padStart(8, "0")}`,
      priority: rnd() < 0.05 ? 5 : 0,
      ...(rnd() < 0.05 ? { language: "en" } : {}),
    });
  }
  await acd.idle();
  const setupMs = performance.now() - t0;

  const offered: { agentId: string; itemId: string }[] = [];
  acd.events.on("call.offered", (e) => offered.push({ agentId: e.agentId, itemId: e.item.id }));
  const times: number[] = [];
  // CPU time of the sample as well: on a shared machine wall-clock tails include time
  // this process spent descheduled, which CPU time does not
  const cpu: number[] = [];
  const warmup = Math.min(200, Math.floor(samples / 5));
  for (let i = 0; i < warmup + samples; i++) {
    const agentId = `a${100 + (i % (AGENTS - 100))}`;
    offered.length = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await acd.setReady(agentId);
    await acd.idle();
    const elapsed = performance.now() - start;
    const c = process.cpuUsage(cpu0);
    const o = offered[0];
    if (!o || o.agentId !== agentId || offered.length !== 1) {
      throw new Error(`${name}: sample ${i} made ${offered.length} offers (expected 1 to ${agentId})`);
    }
    if (i >= warmup) {
      times.push(elapsed);
      cpu.push((c.user + c.system) / 1000);
    }
    // outside the timing: the agent declines, the call goes back to its place
    await acd.reject(agentId, o.itemId);
  }
  const waiting =
    (await state.queueLength("general")) +
    (await state.queueLength("tax")) +
    (await state.queueLength("complaints"));
  await acd.close();
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `${name}: agents=${AGENTS} queued=${waiting} samples=${times.length} p50=${p50.toFixed(3)}ms p90=${percentile(times, 90).toFixed(3)}ms p99=${p99.toFixed(3)}ms mean=${mean.toFixed(3)}ms max=${times.at(-1)?.toFixed(3)}ms (setup ${(setupMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `${name}: cpu time per sample p50=${percentile(cpu, 50).toFixed(3)}ms p99=${percentile(cpu, 99).toFixed(3)}ms`,
  );
  return { p50, p99 };
}

console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
const memory = await run("memory", new MemoryLiveState(), 5_000);
const redisState = await RedisLiveState.connect(
  process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  `bench:acd:${randomUUID()}:`,
);
let onRedis: { p50: number; p99: number };
try {
  // context for the Redis figures: one round trip on this machine, right now
  const pings: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await redisState.nextSeq();
    pings.push(performance.now() - t);
  }
  pings.sort((a, b) => a - b);
  console.log(
    `redis round trip (INCR): p50=${percentile(pings, 50).toFixed(3)}ms p99=${percentile(pings, 99).toFixed(3)}ms`,
  );
  onRedis = await run("redis", redisState, 2_000);
} finally {
  await redisState.destroy();
  await redisState.close();
}
const f = (n: number) => n.toFixed(3);
console.log(
  `bench:acd memory_p50_ms=${f(memory.p50)} memory_p99_ms=${f(memory.p99)} redis_p50_ms=${f(onRedis.p50)} redis_p99_ms=${f(onRedis.p99)}`,
);
