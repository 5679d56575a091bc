import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real SIP phone for tests: baresip (Debian's 1.0), driven over its ctrl_tcp module
 * (netstring-framed JSON commands). Its `aufile` module sends a WAV as the microphone and
 * `sndfile` writes what it hears (dump-*-dec.wav) into `recordDir`.
 */
export interface BaresipOptions {
  /** The account line, e.g. `<sip:1001@127.0.0.1:5060>;auth_pass=…;answermode=auto`. */
  account: string;
  /** WAV (8 kHz mono S16LE) played as the microphone. */
  sourceWav: string;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A UDP port whose TCP twin and next TCP port are free too (baresip binds UDP p, TCP p and p+1). */
async function freeSipPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const u = createSocket("udp4");
    const port = await new Promise<number>((r) => u.bind(0, "127.0.0.1", () => r(u.address().port)));
    u.close();
    const ok = await Promise.all(
      [port, port + 1].map(
        (p) =>
          new Promise<boolean>((r) => {
            const s = createServer();
            s.once("error", () => r(false));
            s.listen(p, "127.0.0.1", () => s.close(() => r(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return port;
  }
  throw new Error("no free SIP port for baresip");
}

export class Baresip {
  readonly recordDir: string;
  #log = "";
  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly ctrlPort: number,
    readonly sipPort: number,
  ) {
    this.recordDir = join(dir, "heard");
    proc.stdout?.on("data", (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-40_000);
    });
    proc.stderr?.on("data", (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-40_000);
    });
  }

  static async start(o: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), "baresip-"));
    const heard = join(dir, "heard");
    mkdirSync(heard);
    const sipPort = await freeSipPort();
    const ctrlPort = await freeTcpPort();
    writeFileSync(
      join(dir, "config"),
      [
        "poll_method epoll",
        `sip_listen 127.0.0.1:${sipPort}`,
        // No sound card here: the player writes to ALSA's null device, sndfile keeps what was heard.
        "audio_player alsa,null",
        "audio_alert alsa,null",
        `audio_source aufile,${o.sourceWav}`,
        "audio_srate 8000",
        "audio_channels 1",
        `snd_path ${heard}`,
        "module_path /usr/lib/baresip/modules",
        "module g711.so",
        "module aufile.so",
        "module alsa.so",
        "module sndfile.so",
        "module_app account.so",
        "module_app menu.so",
        "module_app ctrl_tcp.so",
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "accounts"), `${o.account}\n`);
    const proc = spawn("baresip", ["-f", dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const phone = new Baresip(proc, dir, ctrlPort, sipPort);
    await phone.waitFor(/baresip is ready/, 10_000);
    return phone;
  }

  get log(): string {
    return this.#log;
  }

  /** Resolves when the phone's output matches `pattern`; rejects after `ms`. */
  async waitFor(pattern: RegExp, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.#log)) {
      if (Date.now() > deadline)
        throw new Error(`baresip: no ${pattern} within ${ms} ms; output:\n${this.#log.slice(-3000)}`);
      if (this.proc.exitCode !== null)
        throw new Error(`baresip exited (${this.proc.exitCode}):\n${this.#log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends one ctrl_tcp command (e.g. dial, hangup, sndcode) and waits for its answer. */
  command(command: string, params = ""): Promise<string> {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify({ command, params, token: String(Date.now()) });
      const sock = createConnection({ host: "127.0.0.1", port: this.ctrlPort }, () => {
        sock.write(`${Buffer.byteLength(body)}:${body},`);
      });
      let reply = "";
      sock.on("data", (d) => {
        reply += d.toString();
        if (/"response"\s*:\s*true/.test(reply)) {
          sock.end();
          resolve(reply);
        }
      });
      sock.on("error", reject);
      setTimeout(() => {
        sock.destroy();
        reject(new Error(`baresip ${command}: no answer`));
      }, 5000).unref();
    });
  }

  /** The WAV files of what the phone heard (one per call). */
  heardFiles(): string[] {
    return readdirSync(this.recordDir)
      .filter((f) => f.endsWith("-dec.wav"))
      .map((f) => join(this.recordDir, f));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
