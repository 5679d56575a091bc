/** sipp as a trunk's far end (a carrier gateway answering OPTIONS or INVITEs) or a caller on it; every message logged. */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./hotline.js";
import { SIPP_SCENARIOS } from "./sipp.js";

/** True while something holds UDP `port` on 127.0.0.1 (our bind fails with EADDRINUSE). */
function udpBound(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => resolve(true));
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}

export class SippUas {
  readonly #proc: ChildProcess;
  readonly #dir: string;
  readonly #exited: Promise<void>;

  private constructor(
    proc: ChildProcess,
    dir: string,
    readonly port: number,
  ) {
    this.#proc = proc;
    this.#dir = dir;
    this.#exited = new Promise((r) => proc.once("exit", () => r()));
  }

  /**
   * `options`: answers OPTIONS probes 200 (tests/sipp/options-uas.xml); `invite`: sipp's built-in
   * UAS (180, 200 with SDP, then waits for the BYE); `digest`: challenges the INVITE with a 407
   * and answers only the retry with good credentials (tests/sipp/uas-digest.xml). Resolves once sipp holds its UDP port.
   */
  static async start(
    kind: "options" | "invite" | "digest",
    port: number,
    mediaPort: number,
  ): Promise<SippUas> {
    const scenario =
      kind === "invite"
        ? ["-sn", "uas"]
        : ["-sf", join(SIPP_SCENARIOS, kind === "options" ? "options-uas.xml" : "uas-digest.xml")];
    return SippUas.#spawn(scenario, port, mediaPort);
  }

  /** One call with sipp's built-in UAC to `target` (host:port), user `service`, held `holdMs` once answered. */
  static call(target: string, service: string, holdMs: number, port: number, mediaPort: number) {
    return SippUas.#spawn(
      ["-sn", "uac", "-s", service, "-m", "1", "-d", String(holdMs), target],
      port,
      mediaPort,
    );
  }

  static async #spawn(scenario: string[], port: number, mediaPort: number): Promise<SippUas> {
    const dir = mkdtempSync(join(tmpdir(), "sipp-uas-"));
    const proc = spawn(
      "sipp",
      [
        ...scenario,
        "-i",
        "127.0.0.1",
        "-p",
        String(port),
        "-mp",
        String(mediaPort),
        "-t",
        "u1",
        "-nostdin",
        "-trace_msg",
        "-message_file",
        join(dir, "messages.log"),
      ],
      { cwd: dir, stdio: "ignore" },
    );
    const uas = new SippUas(proc, dir, port);
    // A loaded machine may take a while to start sipp; one that exited will never bind.
    await until(`sipp on udp ${port}`, 30_000, () => {
      if (proc.exitCode !== null)
        throw new Error(`sipp exited (${proc.exitCode}) before binding udp ${port}`);
      return udpBound(port);
    });
    return uas;
  }

  /** Every SIP message sipp sent and received so far. */
  messages(): string {
    const f = join(this.#dir, "messages.log");
    return existsSync(f) ? readFileSync(f, "utf8") : "";
  }

  /** The first request received with this method, as text (start line and headers). */
  received(method: string): string | undefined {
    const at = this.messages().search(new RegExp(`received [^\\n]*\\n\\n${method} `));
    if (at < 0) return undefined;
    const text = this.messages().slice(at);
    return text.slice(text.indexOf(`${method} `)).split(/\n\n/)[0];
  }

  /** Gone at once, like a gateway losing power: no BYE, no answers any more. */
  async kill(): Promise<void> {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) this.#proc.kill("SIGKILL");
    await this.#exited;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
