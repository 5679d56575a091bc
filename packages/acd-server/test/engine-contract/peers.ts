/**
 * Real peers for the engine contract suite: baresip phones (Debian's 1.0, driven over ctrl_tcp)
 * and a WebSocket consumer for forked audio. tests/support has a fuller baresip driver, but
 * tests/ depends on this package and not the other way round, so the suite keeps its own small
 * one: a phone that sends a tone and lets the test read what it heard, as it hears it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { encodeWav } from "@hotline12345/media";

/** With CI set a missing binary fails the run; locally the suite is skipped and says why. */
export function binaryAvailable(name: string): boolean {
  const found = (process.env.PATH ?? "").split(delimiter).some((d) => d !== "" && existsSync(join(d, name)));
  if (!found && process.env.CI) throw new Error(`${name} is required in CI but is not on PATH`);
  if (!found)
    console.warn(`skipping the engine contract suite: ${name} not installed (apt-get install ${name})`);
  return found;
}

/** Polls `probe` until it yields a value (not undefined/false); fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `seconds` of a sine at −10.5 dBFS, 8 kHz mono 16-bit. */
export function toneWav(path: string, freq: number, seconds: number): string {
  const samples = Int16Array.from({ length: 8000 * seconds }, (_, i) =>
    Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * freq * i) / 8000)),
  );
  writeFileSync(path, encodeWav(samples));
  return path;
}

/** Share of the block's energy at `freq` (Goertzel; 1.0 for a pure tone, 0 for silence). */
export function toneShare(x: Int16Array, freq: number, rate = 8000): number {
  const c = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    e += v * v;
  }
  return e === 0 ? 0 : (s1 * s1 + s2 * s2 - c * s1 * s2) / ((e * x.length) / 2);
}

/** RMS level in dBFS (−∞ for digital silence, clamped to −180). */
export function dbfs(x: Int16Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) ** 2;
  return 20 * Math.log10(Math.max(1e-9, Math.sqrt(s / Math.max(1, x.length))) / 32768);
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

/** A UDP port whose TCP twin and the TCP port after it are free (baresip binds all three). */
async function freeSipPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const u = createSocket("udp4");
    const port = await new Promise<number>((r) => u.bind(0, "127.0.0.1", () => r(u.address().port)));
    await new Promise<void>((r) => u.close(() => r()));
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

export interface PhoneOptions {
  /** baresip account line, e.g. `<sip:7001@127.0.0.1:5060>;auth_pass=…;answermode=auto`. */
  account: string;
  /** The tone the phone's microphone sends (a minute of it, looped by aufile). */
  toneHz: number;
}

/**
 * One baresip: its `aufile` module is the microphone (a tone), `sndfile` writes what it hears
 * to `dump-…-dec.wav` as it hears it, which `hears()` reads back while the call goes on.
 */
export class Phone {
  #log = "";
  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly ctrlPort: number,
  ) {
    const keep = (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-60_000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
  }

  static async start(o: PhoneOptions): Promise<Phone> {
    const dir = mkdtempSync(join(tmpdir(), "contract-phone-"));
    const heard = join(dir, "heard");
    mkdirSync(heard);
    const sipPort = await freeSipPort();
    const ctrlPort = await freeTcpPort();
    writeFileSync(
      join(dir, "config"),
      [
        "poll_method epoll",
        `sip_listen 127.0.0.1:${sipPort}`,
        // No sound card: the player writes to ALSA's null device; sndfile keeps what was heard.
        "audio_player alsa,null",
        "audio_alert alsa,null",
        `audio_source aufile,${toneWav(join(dir, "tone.wav"), o.toneHz, 60)}`,
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
    const phone = new Phone(proc, dir, ctrlPort);
    await phone.waitFor(/baresip is ready/, 15_000);
    return phone;
  }

  get log(): string {
    return this.#log;
  }

  /** How often `pattern` occurs in the output so far (to wait for the next occurrence). */
  count(pattern: RegExp): number {
    return this.#log.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`))?.length ?? 0;
  }

  /** Resolves once the output holds more than `after` matches of `pattern`; rejects after `ms`. */
  async waitFor(pattern: RegExp, ms: number, after = 0): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.count(pattern) <= after) {
      if (Date.now() > deadline)
        throw new Error(`baresip: no ${pattern} within ${ms} ms; output:\n${this.#log.slice(-3000)}`);
      if (this.proc.exitCode !== null)
        throw new Error(`baresip exited (${this.proc.exitCode}):\n${this.#log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** One ctrl_tcp command (dial, hangup, accept, hold, resume, sndcode …), netstring-framed JSON. */
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

  /** Everything the phone heard in its latest call: sndfile's file, read while it is written. */
  #heardSoFar(): { file: string; samples: Int16Array } | undefined {
    const dir = join(this.dir, "heard");
    const file = readdirSync(dir)
      .filter((f) => f.endsWith("-dec.wav"))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      .at(-1);
    if (!file) return undefined;
    // 16-bit mono 8 kHz samples past the 44-byte header (whose sizes are only right at the end).
    const bytes = readFileSync(file);
    const body = bytes.subarray(44, 44 + ((bytes.length - 44) & ~1));
    return {
      file,
      samples: new Int16Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length)),
    };
  }

  /**
   * Waits until what the phone hears from now on, 400 ms at a time, satisfies `check`. baresip
   * writes only what it receives: a window with (almost) no packets counts as silence, which is
   * what a phone that gets nothing plays. Audio takes a moment to change after the engine does,
   * so the check is retried until `ms`.
   */
  async hears(what: string, check: (x: Int16Array) => boolean, ms = 8000): Promise<void> {
    let last = "";
    await until(what, ms, async () => {
      const before = this.#heardSoFar();
      await new Promise((r) => setTimeout(r, 400));
      const after = this.#heardSoFar();
      if (!after) return false;
      const from = before && before.file === after.file ? before.samples.length : 0;
      const x = after.samples.subarray(from);
      const window = x.length < 800 ? new Int16Array(3200) : x;
      last = `${x.length} samples`;
      return check(window);
    }).catch((err: Error) => {
      throw new Error(`${err.message} (last window: ${last})`);
    });
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

/** What a WebSocket consumer of forked audio got: the text header and the binary frames. */
export interface ForkSink {
  readonly url: string;
  readonly header: Promise<unknown>;
  readonly frames: Buffer[];
  /** Resolves when the engine closed the socket. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * A minimal WebSocket server (RFC 6455) taking one connection: the handshake (§4.2.2), masked
 * client frames (§5.3), text, binary and close (§5.5.1). Small on purpose: this package has no
 * WebSocket server library, and the consumer of a fork only listens.
 */
export async function forkSink(): Promise<ForkSink> {
  const frames: Buffer[] = [];
  let onHeader: (v: unknown) => void = () => {};
  const header = new Promise<unknown>((r) => {
    onHeader = r;
  });
  let onClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    onClosed = r;
  });
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(426).end());
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    const key = req.headers["sec-websocket-key"] ?? "";
    // §4.2.2: the accept value is base64(SHA-1(key + the protocol's GUID)).
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    let buf = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        const opcode = (buf[0] as number) & 0x0f;
        const masked = ((buf[1] as number) & 0x80) !== 0;
        let len = (buf[1] as number) & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        const mask = masked ? buf.subarray(at, at + 4) : undefined;
        if (masked) at += 4;
        if (buf.length < at + len) return;
        const payload = Buffer.from(buf.subarray(at, at + len));
        if (mask)
          for (let i = 0; i < payload.length; i++)
            payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
        buf = buf.subarray(at + len);
        if (opcode === 1) onHeader(JSON.parse(payload.toString("utf8")));
        else if (opcode === 2) frames.push(payload);
        else if (opcode === 8) {
          socket.end(Buffer.from([0x88, 0]));
          onClosed();
        }
      }
    });
    socket.on("close", () => {
      sockets.delete(socket);
      onClosed();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/fork`,
    header,
    frames,
    closed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
