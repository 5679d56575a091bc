/** Running sipp (Debian package sip-tester) from tests: free ports, a temp dir, parsed results. */
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SCENARIOS = fileURLToPath(new URL("./scenarios/", import.meta.url));

/** sipp present? Missing is a failure when CI is set, a skip (with a message) locally. */
export function haveSipp(): boolean {
  const ok = spawnSync("sipp", ["-v"], { encoding: "utf8" }).error === undefined;
  if (!ok && process.env.CI)
    throw new Error("sipp (Debian package sip-tester) is required in CI but was not found");
  if (!ok) console.warn("sipp not installed: skipping sipp interop tests (apt-get install sip-tester)");
  return ok;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface SippResult {
  code: number | null;
  successful: number;
  failed: number;
  /** Retransmissions sipp made of its own requests (the "Retrans" column of its send rows). */
  retransmissions: number;
  output: string;
}

function counter(screen: string, name: string): number {
  const m = new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(screen);
  return m ? Number(m[1]) : 0;
}

/** Run sipp to completion (it is killed at `timeoutMs`); never leaves the process behind. */
export async function runSipp(args: string[], timeoutMs = 15_000): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), "sipp-"));
  try {
    const child = spawn("sipp", [...args, "-nostdin", "-trace_screen", "-trace_err"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    let screen = "";
    for (const f of readdirSync(dir)) {
      if (f.endsWith("_screen.log")) screen += readFileSync(join(dir, f), "utf8");
      if (f.endsWith("_errors.log")) output += readFileSync(join(dir, f), "utf8");
    }
    // The screen is dumped more than once; the last "Scenario Screen" is the final one.
    const last = screen.slice(screen.lastIndexOf("Scenario Screen"));
    let retransmissions = 0;
    for (const m of last.matchAll(/^\s*[A-Z]+ -+>\s+(\d+)\s+(\d+)/gm)) retransmissions += Number(m[2]);
    return {
      code,
      successful: counter(screen, "Successful call"),
      failed: counter(screen, "Failed call"),
      retransmissions,
      output: output + screen,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
