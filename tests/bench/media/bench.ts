// `pnpm bench:media`: N concurrent bridged, recorded PCMU calls through the media
// engine (worker threads), fed by a generator in another process. Prints per N
// the engine's CPU per call, packet loss and the jitter it adds, then the largest
// N with loss under 0.1 %. Where rtpengine is installed, the same streams then go
// through a userspace rtpengine at each N, and the last line gives the CPU ratio
// (rtpengine per call ÷ ours). Not a test: run it on a quiet machine.
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EndpointHandle, MediaEngine } from "@hotline12345/media";
import { cpuMs, RTPENGINE_BIN, Rtpengine, rtpengineInstalled } from "./rtpengine.js";

const STEPS = (process.env.BENCH_MEDIA_STEPS ?? "50,100,200,300,400,500,600")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const WARMUP_MS = Number(process.env.BENCH_MEDIA_WARMUP_MS ?? 2000);
const MEASURE_MS = Number(process.env.BENCH_MEDIA_MEASURE_MS ?? 5000);

type FromGen =
  | { cmd: "ready" }
  | { cmd: "prepared"; portsA: number[]; portsB: number[] }
  | { cmd: "measuring" }
  | { cmd: "sent" }
  | {
      cmd: "result";
      lossPct: number;
      jitterMs: number;
      refJitterMs: number;
      cpuPct: number;
    };

function next(child: ChildProcess, cmd: FromGen["cmd"]): Promise<FromGen> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: FromGen): void => {
      if (m.cmd !== cmd) return;
      child.off("message", onMsg);
      child.off("exit", onExit);
      resolve(m);
    };
    const onExit = (code: number | null): void => reject(new Error(`generator exited (${code})`));
    child.on("message", onMsg);
    child.once("exit", onExit);
  });
}

function sdp(port: number): string {
  return `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtcp:${port}\r\n`;
}

type Result = Extract<FromGen, { cmd: "result" }>;
type Row = { n: number; cpu: number; loss: number; jitter: number };

/**
 * Plays the calls through whichever relay the ports point at, and reads the relay
 * process's CPU (utime + stime of all its threads) over the measured window.
 */
async function measure(
  gen: ChildProcess,
  calls: { callerPort: number; agentPort: number }[],
  pid: number,
): Promise<{ cpuPct: number; r: Result }> {
  gen.send({ cmd: "run", calls, warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
  await next(gen, "measuring");
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await next(gen, "sent");
  const cpu = cpuMs(pid) - cpu0;
  const wall = performance.now() - t0;
  const r = (await next(gen, "result")) as Result;
  return { cpuPct: (cpu / wall) * 100, r };
}

async function prepare(gen: ChildProcess, n: number): Promise<{ portsA: number[]; portsB: number[] }> {
  gen.send({ cmd: "prepare", calls: n });
  return (await next(gen, "prepared")) as Extract<FromGen, { cmd: "prepared" }>;
}

function row(label: string, n: number, cpuPct: number, r: Result): Row {
  const perCall = cpuPct / n;
  const added = Math.max(0, r.jitterMs - r.refJitterMs);
  console.log(
    `N=${n} ${label} loadavg=${loadavg()[0]!.toFixed(1)} cpu_pct_total=${cpuPct.toFixed(1)} cpu_pct_per_call=${perCall.toFixed(3)} loss_pct=${r.lossPct.toFixed(3)} jitter_ms=${added.toFixed(2)} (path ${r.jitterMs.toFixed(2)} ms, generator ${r.refJitterMs.toFixed(2)} ms; generator cpu ${r.cpuPct.toFixed(0)} %)`,
  );
  return { n, cpu: perCall, loss: r.lossPct, jitter: added };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-media-"));
  const engine = await MediaEngine.start({
    workers: 2,
    portMin: 30000,
    portMax: 39999,
    bindAddress: "127.0.0.1",
  });
  let rtpe: Rtpengine | undefined;
  if (!rtpengineInstalled())
    console.log(
      `rtpengine not installed (no ${RTPENGINE_BIN}, BENCH_MEDIA_RTPENGINE to set): no comparison, ratio na`,
    );
  else {
    try {
      rtpe = await Rtpengine.start({ portMin: 40000, portMax: 49999 });
    } catch (e) {
      console.log(`rtpengine installed but could not be started, ratio na: ${(e as Error).message}`);
    }
  }
  const gen = fork(fileURLToPath(new URL("./generator.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await next(gen, "ready");
  const results: Row[] = [];
  const theirs: Row[] = [];
  // Other processes compete for the same cores: the load average says how much.
  console.log(
    `bench:media workers=${engine.workers} warmup_ms=${WARMUP_MS} measure_ms=${MEASURE_MS} steps=${STEPS.join(",")} rtpengine=${rtpe ? "userspace" : "none"} loadavg=${loadavg()[0]!.toFixed(1)}`,
  );
  try {
    for (const n of STEPS) {
      mkdirSync(dir, { recursive: true });
      const legs: EndpointHandle[] = [];
      const stops: (() => Promise<unknown>)[] = [];
      const calls: { callerPort: number; agentPort: number }[] = [];
      const phones = await prepare(gen, n);
      for (let i = 0; i < n; i++) {
        const group = `bench-${n}-${i}`;
        const caller = await engine.createRtpEndpoint({ group });
        const agent = await engine.createRtpEndpoint({ group });
        await caller.createAnswer(sdp(phones.portsA[i]!));
        await agent.createAnswer(sdp(phones.portsB[i]!));
        const bridge = await engine.bridge(caller, agent);
        const rec = await engine.record(join(dir, `${n}-${i}.wav`), { caller, agent });
        legs.push(caller, agent);
        stops.push(
          () => rec.stop(),
          () => bridge.close(),
        );
        calls.push({ callerPort: caller.port, agentPort: agent.port });
      }
      // CPU of this process (main thread + both media workers), % of one core.
      const ours = await measure(gen, calls, process.pid);
      results.push(row("ours", n, ours.cpuPct, ours.r));
      if (process.env.BENCH_MEDIA_DEBUG) {
        for (const l of legs.slice(0, 4).concat(legs.slice(-4)))
          console.log(l.port, JSON.stringify(await l.stats()));
      }
      for (const s of stops) await s();
      await Promise.all(legs.map((l) => l.close()));
      rmSync(dir, { recursive: true, force: true });

      // The same streams through rtpengine, relayed only (it records nothing).
      if (rtpe && (theirs.at(-1)?.loss ?? 0) <= 5) {
        const phones = await prepare(gen, n);
        const ids = Array.from({ length: n }, (_, i) => `bench-${n}-${i}`);
        const via: { callerPort: number; agentPort: number }[] = [];
        for (let i = 0; i < n; i++)
          via.push(await rtpe.call(ids[i]!, sdp(phones.portsA[i]!), sdp(phones.portsB[i]!)));
        const t = await measure(gen, via, rtpe.pid);
        const r = row("rtpengine", n, t.cpuPct, t.r);
        theirs.push(r);
        console.log(`N=${n} rtpengine_cpu_ratio=${(r.cpu / results.at(-1)!.cpu).toFixed(2)}`);
        for (const id of ids) await rtpe.delete(id);
      }
      if (results.at(-1)!.loss > 5) break; // far past the knee: stop
    }
  } finally {
    gen.send({ cmd: "exit" });
    await engine.close();
    await rtpe?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = results.filter((r) => r.loss < 0.1);
  const best = ok.at(-1) ?? { n: 0, cpu: 0, loss: results[0]?.loss ?? 0, jitter: 0 };
  // The ratio at the largest N both relays carried without loss; failing that, the
  // largest N both ran.
  const both = (rs: Row[]) => rs.filter((o) => theirs.some((t) => t.n === o.n));
  const at = both(ok).at(-1) ?? both(results).at(-1);
  const other = theirs.find((t) => t.n === at?.n);
  const ratio = at && other && at.cpu > 0 ? (other.cpu / at.cpu).toFixed(2) : "na";
  if (rtpe) console.log(`rtpengine_cpu_ratio at N=${at?.n ?? "none"} (rtpengine cpu per call ÷ ours)`);
  console.log(
    `bench:media max_calls=${best.n} cpu_pct_per_call=${best.cpu.toFixed(3)} loss_pct=${best.loss.toFixed(3)} jitter_ms=${best.jitter.toFixed(2)} rtpengine_cpu_ratio=${ratio}`,
  );
}

await main();
