import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Real-peer tests need their binaries. With CI set a missing binary is a failure;
 * locally the test is skipped with a message saying what to install.
 */
export function binaryAvailable(name: string): boolean {
  const found = (process.env.PATH ?? "").split(delimiter).some((d) => d !== "" && existsSync(join(d, name)));
  if (!found && process.env.CI) throw new Error(`${name} is required in CI but is not on PATH`);
  if (!found)
    console.warn(
      `skipping: ${name} not installed (apt-get install ${name === "sipp" ? "sip-tester" : name})`,
    );
  return found;
}

/** A UDP port that was free a moment ago (for tools that cannot take port 0). */
export async function freeUdpPort(even = false): Promise<number> {
  for (;;) {
    const s = createSocket("udp4");
    const port = await new Promise<number>((r) => s.bind(0, "127.0.0.1", () => r(s.address().port)));
    // The next port must be free too (RTCP), and sipp uses +2 for video.
    const probes: Socket[] = [];
    let ok = !even || port % 2 === 0;
    for (let d = 1; ok && d <= 3; d++) {
      const p = createSocket("udp4");
      probes.push(p);
      ok = await new Promise<boolean>((r) => {
        p.once("error", () => r(false));
        p.bind(port + d, "127.0.0.1", () => r(true));
      });
    }
    await Promise.all([s, ...probes].map((x) => new Promise<void>((r) => x.close(() => r()))));
    if (ok) return port;
  }
}

export interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill: () => Promise<void>;
}

export function run(cmd: string, args: string[], cwd?: string): Child {
  const proc = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out = (out + d.toString()).slice(-20000);
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out = (out + d.toString()).slice(-20000);
  });
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return {
    proc,
    output: () => out,
    exited,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
    },
  };
}
