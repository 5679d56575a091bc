import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav, parseWav, wavSamples } from "@hotline12345/media";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedEngine, startEmbeddedEngine } from "../engine/embedded/start.js";
import type { Leg } from "../engine/port.js";
import { openStore, type Store } from "../store/store.js";
import { handToVoicemail, recordVoicemail, voicemailHeaders } from "./voicemail.js";

const haveSipp = spawnSync("sipp", ["-v"]).error === undefined;

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A free UDP port on 127.0.0.1 (even for RTP). */
async function freePort(even = false): Promise<number> {
  for (;;) {
    const s = createSocket("udp4");
    const port = await new Promise<number>((r) => s.bind(0, "127.0.0.1", () => r(s.address().port)));
    await new Promise<void>((r) => s.close(() => r()));
    if (!even || port % 2 === 0) return port;
  }
}

const bound = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => resolve(true));
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });

/** One sipp process with its messages logged, in a temp dir of its own. */
class Sipp {
  readonly dir = mkdtempSync(join(tmpdir(), "sipp-vm-"));
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  constructor(args: string[], port: number) {
    this.proc = spawn(
      "sipp",
      [
        ...args,
        "-i",
        "127.0.0.1",
        "-p",
        String(port),
        "-nostdin",
        "-trace_msg",
        "-message_file",
        join(this.dir, "m.log"),
      ],
      {
        cwd: this.dir,
        stdio: "ignore",
      },
    );
    this.exited = new Promise((r) => this.proc.once("exit", () => r()));
  }
  messages(): string {
    try {
      return readFileSync(join(this.dir, "m.log"), "utf8");
    } catch {
      return "";
    }
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("voicemail headers", () => {
  it("names the dialled number, the wanted party and the voicemail server with the cause", () => {
    expect(
      voicemailHeaders({
        uri: "sip:vm@10.0.0.5:5060;transport=udp",
        wanted: "1001",
        hotlineNumber: "12345",
        domain: "hotline.example",
        reason: "busy",
      }),
    ).toEqual({
      "History-Info":
        "<sip:12345@hotline.example>;index=1, <sip:1001@hotline.example>;index=1.1;mp=1, <sip:vm@10.0.0.5:5060;transport=udp;cause=486>;index=1.1.1;mp=1.1",
      Diversion: "<sip:1001@hotline.example>;reason=user-busy;counter=1",
    });
    const h = voicemailHeaders({
      uri: "sip:vm@vm.example?Subject=x",
      wanted: "12345",
      hotlineNumber: "12345",
      domain: "d",
      reason: "unavailable",
    });
    expect(h["History-Info"]).toBe(
      "<sip:12345@d>;index=1, <sip:vm@vm.example;cause=480?Subject=x>;index=1.1;mp=1",
    );
    expect(h.Diversion).toBe("<sip:12345@d>;reason=unavailable;counter=1");
  });
});

describe.skipIf(!haveSipp)("voicemail against real sipp peers", () => {
  let store: Store;
  let http: Server;
  let engine: EmbeddedEngine;
  let dir: string;
  const peers: Sipp[] = [];
  const incoming: Leg[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "voicemail-"));
    store = await openStore({ kind: "pglite" });
    http = createServer();
    engine = await startEmbeddedEngine({
      store,
      log: pino({ level: "silent" }),
      http,
      wsPath: "/sip",
      domain: "localhost",
      sipHost: "127.0.0.1",
      sipPort: 0,
      rtpPortMin: 20000,
      rtpPortMax: 29999,
      trunks: [{ id: "local", addresses: ["127.0.0.1"] }],
      mediaWorkers: 1,
    });
    engine.switch.on("incoming", ({ leg }) => incoming.push(leg));
  }, 180_000);
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await engine?.close();
    await store?.close();
    http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A sipp caller dialling 4001 on the engine; resolves with its inbound leg. */
  async function call(holdMs: number, extra: string[] = []): Promise<{ sipp: Sipp; leg: Leg }> {
    const before = incoming.length;
    const sipp = new Sipp(
      [
        "-sn",
        "uac",
        "-s",
        "4001",
        "-m",
        "1",
        "-d",
        String(holdMs),
        "-mp",
        String(await freePort(true)),
        ...extra,
        `127.0.0.1:${engine.sipPort}`,
      ],
      await freePort(),
    );
    peers.push(sipp);
    const leg = await until("the caller's leg", 10_000, () => incoming[before]);
    return { sipp, leg };
  }

  it("hands the caller to the voicemail server with Diversion and History-Info, bridged until the caller hangs up", async () => {
    const vmPort = await freePort();
    const vm = new Sipp(["-sn", "uas", "-mp", String(await freePort(true))], vmPort);
    peers.push(vm);
    await until("voicemail sipp listening", 10_000, () => bound(vmPort));
    const { sipp: caller, leg } = await call(2000);

    const result = await handToVoicemail(engine.switch, leg, {
      uri: `sip:vm@127.0.0.1:${vmPort}`,
      wanted: "1001",
      hotlineNumber: "12345",
      domain: "localhost",
      reason: "no-answer",
    });
    expect(result).toEqual({ ok: true, endedBy: "caller" });

    const log = vm.messages();
    const invite = log.slice(log.indexOf("INVITE sip:vm@")).split(/\n\s*\n/)[0] ?? "";
    expect(invite).toMatch(
      /^History-Info: <sip:12345@localhost>;index=1, <sip:1001@localhost>;index=1\.1;mp=1, <sip:vm@127\.0\.0\.1:\d+;cause=408>;index=1\.1\.1;mp=1\.1\s*$/m,
    );
    expect(invite).toMatch(/^Diversion: <sip:1001@localhost>;reason=no-answer;counter=1\s*$/m);
    // The voicemail box hears who called: the caller's own number.
    expect(invite).toMatch(/^From: .*<sip:sipp@localhost>/m);
    // Once the caller hung up, the voicemail leg was hung up too, and nothing is left.
    await until("BYE at the voicemail server", 5_000, () => /BYE sip:/.test(vm.messages()));
    expect(/SIP\/2\.0 200 OK[\s\S]*BYE/.test(caller.messages())).toBe(true);
    await until("no legs left", 5_000, () => engine.switch.liveLegs === 0);
  }, 60_000);

  it("records the caller's message and POSTs it, signed, retrying a failed receiver", async () => {
    const posts: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        posts.push({ headers: req.headers, body: Buffer.concat(chunks) });
        // The first try fails: the message must come again.
        res.writeHead(posts.length === 1 ? 503 : 201).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/voicemail`;

    // sipp echoes the RTP it gets: the tone we play to the caller comes back as their "voice".
    const { leg } = await call(15_000, ["-rtp_echo"]);
    await leg.answer();
    const tone = join(dir, "tone.wav");
    writeFileSync(
      tone,
      encodeWav(
        Int16Array.from({ length: 8000 * 8 }, (_, i) =>
          Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
        ),
      ),
    );
    const playing = leg.play([tone]);
    const result = await recordVoicemail(engine.switch, leg, {
      path: join(dir, "message.wav"),
      maxSeconds: 2,
      postUrl: url,
      callId: "call-vm-1",
      wanted: "1001",
      secret: "voicemail-secret",
      backoffMs: 100,
    });
    await playing.stop();
    await leg.hangup();
    receiver.close();

    expect(result).toMatchObject({ endedBy: "max-length", delivered: true, status: 201, attempts: 2 });
    expect(result.seconds).toBeGreaterThan(1.5);
    expect(result.seconds).toBeLessThan(3);
    expect(posts).toHaveLength(2);
    const post = posts[1];
    if (!post) throw new Error("no post");
    expect(post.headers).toMatchObject({
      "content-type": "audio/wav",
      "x-hotline-call-id": "call-vm-1",
      "x-hotline-caller": "sipp",
      "x-hotline-wanted": "1001",
      "x-hotline-ended-by": "max-length",
    });
    expect(post.headers["x-hotline-signature"]).toBe(
      `sha256=${createHmac("sha256", "voicemail-secret").update(post.body).digest("hex")}`,
    );
    const wav = parseWav(post.body);
    expect(wav).toMatchObject({ channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    const samples = wavSamples(wav);
    expect(samples.length / 8000).toBeCloseTo(result.seconds, 0);
    // The echoed tone is in the message (not silence).
    const mid = samples.subarray(
      Math.floor(samples.length / 2) - 2000,
      Math.floor(samples.length / 2) + 2000,
    );
    const rms = Math.sqrt(mid.reduce((a, s) => a + s * s, 0) / mid.length);
    expect(rms).toBeGreaterThan(1000);
  }, 60_000);
});
