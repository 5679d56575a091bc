// rtpengine for `pnpm bench:media`: starts Debian's `rtpengine` daemon (userspace
// only, `--table=-1`: no kernel module) on 127.0.0.1 and drives it over its NG
// control protocol (UDP, "<cookie> <bencoded dictionary>", see sipwise/rtpengine
// docs/ng_control_protocol.md) so that the benchmark can relay the same calls
// through it. Also reads a process's CPU time from /proc/<pid>/stat.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";

export type Bencode = string | number | Buffer | Bencode[] | { [key: string]: Bencode };

export function bencode(v: Bencode): Buffer {
  if (typeof v === "number") return Buffer.from(`i${Math.trunc(v)}e`);
  if (typeof v === "string" || Buffer.isBuffer(v)) {
    const b = typeof v === "string" ? Buffer.from(v) : v;
    return Buffer.concat([Buffer.from(`${b.length}:`), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from("l"), ...v.map(bencode), Buffer.from("e")]);
  // The bencode rule of sorted keys is not required by rtpengine; keep it anyway.
  const keys = Object.keys(v).sort();
  return Buffer.concat([
    Buffer.from("d"),
    ...keys.flatMap((k) => [bencode(k), bencode(v[k]!)]),
    Buffer.from("e"),
  ]);
}

/** Decodes one bencoded value; byte strings come back as (UTF-8) strings. */
export function bdecode(buf: Buffer): Bencode {
  let i = 0;
  const value = (): Bencode => {
    const c = buf[i];
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65, i);
      const n = Number(buf.subarray(i + 1, end).toString());
      i = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      i++;
      const out: Bencode[] = [];
      while (buf[i] !== 0x65) out.push(value());
      i++;
      return out;
    }
    if (c === 0x64 /* d */) {
      i++;
      const out: { [key: string]: Bencode } = {};
      while (buf[i] !== 0x65) {
        const k = value();
        out[String(k)] = value();
      }
      i++;
      return out;
    }
    const colon = buf.indexOf(0x3a, i);
    if (colon < 0) throw new Error(`bencode: bad input at ${i}`);
    const len = Number(buf.subarray(i, colon).toString());
    const s = buf.subarray(colon + 1, colon + 1 + len).toString();
    i = colon + 1 + len;
    return s;
  };
  return value();
}

export type NgReply = {
  result: string;
  sdp?: string;
  "error-reason"?: string;
  [key: string]: Bencode | undefined;
};

/** NG client over UDP: one cookie per request, replies matched by cookie. */
export class NgClient {
  private readonly pending = new Map<string, { resolve: (r: NgReply) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private constructor(
    private readonly sock: Socket,
    private readonly port: number,
  ) {
    sock.on("message", (msg) => {
      const sp = msg.indexOf(0x20);
      if (sp < 0) return;
      const p = this.pending.get(msg.subarray(0, sp).toString());
      if (!p) return;
      this.pending.delete(msg.subarray(0, sp).toString());
      p.resolve(bdecode(msg.subarray(sp + 1)) as NgReply);
    });
  }

  static async open(port: number): Promise<NgClient> {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    return new NgClient(s, port);
  }

  request(dict: { command: string; [key: string]: Bencode }, timeoutMs = 2000): Promise<NgReply> {
    const cookie = `${process.pid}_${++this.seq}`;
    return new Promise<NgReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new Error(`rtpengine: no reply to ${dict.command}`));
      }, timeoutMs);
      this.pending.set(cookie, {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.result === "error") reject(new Error(`rtpengine ${dict.command}: ${r["error-reason"]}`));
          else resolve(r);
        },
        reject,
      });
      this.sock.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(dict)]), this.port, "127.0.0.1");
    });
  }

  close(): void {
    for (const p of this.pending.values()) p.reject(new Error("rtpengine: client closed"));
    this.pending.clear();
    this.sock.close();
  }
}

/** The RTP port of the first m= line of an SDP body. */
export function sdpPort(sdp: string): number {
  const m = /^m=audio (\d+) /m.exec(sdp);
  if (!m) throw new Error(`rtpengine: no m=audio line in ${JSON.stringify(sdp)}`);
  return Number(m[1]);
}

/** The daemon to run: `BENCH_MEDIA_RTPENGINE` (a path, or `off`), else `rtpengine` on PATH. */
export const RTPENGINE_BIN = process.env.BENCH_MEDIA_RTPENGINE ?? "rtpengine";

export function rtpengineInstalled(): boolean {
  if (RTPENGINE_BIN === "off") return false;
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", RTPENGINE_BIN], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

export class Rtpengine {
  private constructor(
    readonly proc: ChildProcess,
    readonly ng: NgClient,
  ) {}

  get pid(): number {
    return this.proc.pid!;
  }

  /** Starts a private instance (no config file, no kernel table) and waits for a pong. */
  static async start(opts: { portMin: number; portMax: number }): Promise<Rtpengine> {
    const ngPort = await freeUdpPort();
    const proc = spawn(
      RTPENGINE_BIN,
      [
        "--config-file=none",
        "--foreground",
        "--log-stderr",
        "--log-level=4",
        "--table=-1",
        "--interface=127.0.0.1",
        `--listen-ng=127.0.0.1:${ngPort}`,
        `--port-min=${opts.portMin}`,
        `--port-max=${opts.portMax}`,
        "--delete-delay=0",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const log: string[] = [];
    proc.stderr!.on("data", (d: Buffer) => {
      log.push(d.toString());
      if (log.length > 50) log.shift();
    });
    const ng = await NgClient.open(ngPort);
    const self = new Rtpengine(proc, ng);
    for (let attempt = 0; ; attempt++) {
      if (proc.exitCode !== null) break;
      try {
        await ng.request({ command: "ping" }, 200);
        return self;
      } catch {
        if (attempt >= 25) break;
      }
    }
    await self.close();
    throw new Error(`rtpengine did not start:\n${log.join("")}`);
  }

  /** offer (caller's SDP) then answer (agent's SDP): the ports each phone must send to. */
  async call(
    callId: string,
    callerSdp: string,
    agentSdp: string,
  ): Promise<{ callerPort: number; agentPort: number }> {
    const base = { "call-id": callId, "from-tag": "caller", ICE: "remove" };
    const offer = await this.ng.request({ command: "offer", ...base, sdp: callerSdp });
    const answer = await this.ng.request({ command: "answer", ...base, "to-tag": "agent", sdp: agentSdp });
    // The rewritten offer goes to the agent: its port is where the agent sends.
    return { callerPort: sdpPort(answer.sdp ?? ""), agentPort: sdpPort(offer.sdp ?? "") };
  }

  async delete(callId: string): Promise<void> {
    await this.ng.request({ command: "delete", "call-id": callId, "from-tag": "caller" });
  }

  async close(): Promise<void> {
    this.ng.close();
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.kill("SIGTERM");
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }
}

let clockTicks = 0;
/** utime + stime of a process (all its threads), in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  if (!clockTicks) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name (which may hold spaces): state is 3rd.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
}
