/**
 * `pnpm bench:sip` (not a test): sipp's uac (INVITE/200/ACK/BYE over UDP) against the answering
 * server, the call rate ramped until more than 0.1 % of calls fail or sipp cannot reach the rate.
 * Prints one line per step and, last, `bench:sip max_cps=<n> p99_setup_ms=<n> cpu_pct=<n> rss_mb=<n>`
 * for the highest rate sustained (CPU and RSS of this process, which runs the server).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAnswerServer } from "../../sip-interop/answer-server.js";
import { freeUdpPort } from "../../sip-interop/sipp.js";

const SCENARIO = fileURLToPath(new URL("./uac.xml", import.meta.url));
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const RATES = (process.env.BENCH_RATES ?? "100,200,300,400,500,600,700,800,1000,1200,1400,1600,2000")
  .split(",")
  .map(Number);

interface Step {
  rate: number;
  calls: number;
  ok: number;
  failed: number;
  seconds: number;
  p99: number;
  cpuPct: number;
  rssMb: number;
}

function p99(samples: number[]): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}

async function step(serverPort: number, rate: number): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sip-"));
  const calls = rate * STEP_SECONDS;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      rss = Math.max(rss, process.memoryUsage().rss);
    }, 200);
    const args = [
      `127.0.0.1:${serverPort}`,
      ...["-i", "127.0.0.1", "-p", String(await freeUdpPort()), "-sf", SCENARIO],
      ...["-r", String(rate), "-m", String(calls), "-l", String(rate * 4)],
      ...["-nostdin", "-trace_screen", "-trace_rtt", "-rtt_freq", "1", "-recv_timeout", "10000"],
    ];
    const child = spawn("sipp", args, { cwd: dir, stdio: "ignore" });
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), (STEP_SECONDS + 40) * 1000);
      child.on("close", () => {
        clearTimeout(kill);
        resolve();
      });
    });
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(cpu0);
    let screen = "";
    const rtds: number[] = [];
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), "utf8");
      if (f.endsWith("_screen.log")) screen += text;
      if (f.endsWith("_rtt.csv")) {
        for (const line of text.split("\n").slice(1)) {
          const v = Number(line.split(";")[1]);
          if (Number.isFinite(v) && line.trim() !== "") rtds.push(v);
        }
      }
    }
    const num = (name: string) =>
      Number(new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(screen)?.[1] ?? 0);
    return {
      rate,
      calls,
      ok: num("Successful call"),
      failed: num("Failed call"),
      seconds,
      p99: p99(rtds),
      cpuPct: ((c.user + c.system) / 1000 / (seconds * 1000)) * 100,
      rssMb: rss / 1024 / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const server = await startAnswerServer();
let best: Step | undefined;
try {
  for (const rate of RATES) {
    const s = await step(server.udpPort, rate);
    const lost = s.calls - s.ok;
    const failPct = (lost / s.calls) * 100;
    // Sustained: at most 0.1 % of calls not successful, and the whole batch done in at most 1.5x
    // the nominal time (sipp could not push the rate otherwise).
    const sustained = failPct <= 0.1 && s.seconds <= STEP_SECONDS * 1.5 + 2;
    console.log(
      `rate=${rate} calls=${s.calls} ok=${s.ok} failed=${s.failed} fail_pct=${failPct.toFixed(3)} secs=${s.seconds.toFixed(1)} p99_setup_ms=${s.p99} cpu_pct=${s.cpuPct.toFixed(0)} rss_mb=${s.rssMb.toFixed(0)} ${sustained ? "ok" : "FAIL"}`,
    );
    if (!sustained) break;
    best = s;
  }
} finally {
  await server.close();
}
console.log(
  `bench:sip max_cps=${best?.rate ?? 0} p99_setup_ms=${best ? best.p99 : 0} cpu_pct=${best ? best.cpuPct.toFixed(0) : 0} rss_mb=${best ? best.rssMb.toFixed(0) : 0}`,
);
