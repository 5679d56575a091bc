// Traffic generator for `pnpm bench:media`, run in its own process so its CPU is
// not counted as the engine's. For each call it plays both phones: the caller
// sends PCMU to the caller endpoint, the agent to the agent endpoint, one packet
// per 20 ms. The packet's send index is written into the first payload bytes
// (a same-codec bridge relays payloads untouched), so what comes back from the
// other side can be checked for loss (each index of the measured window seen or
// not, however late) and for jitter (RFC 3550 A.8 on arrival vs. the index's
// schedule). A reference stream from the generator to itself measures the
// generator's own scheduling jitter, so the jitter the engine adds can be told apart.
import { createSocket, type Socket } from "node:dgram";

type Msg =
  | { cmd: "prepare"; calls: number }
  | { cmd: "run"; calls: { callerPort: number; agentPort: number }[]; warmupMs: number; measureMs: number }
  | { cmd: "exit" };

// One socket per phone, connect()ed to its endpoint once the call exists: the
// kernel demultiplexes, and sends skip the address lookup.
let socketsA: Socket[] = [];
let socketsB: Socket[] = [];

async function bind(): Promise<Socket> {
  const s = createSocket({ type: "udp4", recvBufferSize: 512 * 1024 });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return s;
}

/** Per-stream receive state: a bitmap of the measured window and A.8 jitter. */
class Rx {
  seen: Uint8Array;
  transit: Float64Array;
  jitter: Float64Array;
  constructor(
    readonly streams: number,
    readonly first: number,
    readonly count: number,
  ) {
    this.seen = new Uint8Array(streams * count);
    this.transit = new Float64Array(streams).fill(Number.NaN);
    this.jitter = new Float64Array(streams);
  }
  on(i: number, msg: Buffer, start: number): void {
    if (msg.length < 16 || msg[1]! >= 200) return; // RTCP
    const k = msg.readUInt32BE(12);
    if (k < this.first || k >= this.first + this.count) return;
    this.seen[i * this.count + (k - this.first)] = 1;
    // Transit relative to the packet's schedule, in ms.
    const transit = performance.now() - (start + k * 20);
    const prev = this.transit[i]!;
    if (!Number.isNaN(prev)) this.jitter[i]! += (Math.abs(transit - prev) - this.jitter[i]!) / 16;
    this.transit[i] = transit;
  }
  lost(): number {
    let n = 0;
    for (let j = 0; j < this.seen.length; j++) if (this.seen[j] === 0) n++;
    return n;
  }
  meanJitter(): number {
    let s = 0;
    for (let i = 0; i < this.streams; i++) s += this.jitter[i]!;
    return s / Math.max(1, this.streams);
  }
}

async function run(m: Extract<Msg, { cmd: "run" }>): Promise<void> {
  const n = m.calls.length;
  await Promise.all(
    m.calls.flatMap((c, i) => [
      new Promise<void>((r) => socketsA[i]!.connect(c.callerPort, "127.0.0.1", () => r())),
      new Promise<void>((r) => socketsB[i]!.connect(c.agentPort, "127.0.0.1", () => r())),
    ]),
  );
  const first = Math.ceil(m.warmupMs / 20);
  const count = Math.round(m.measureMs / 20);
  const total = first + count;
  const atAgent = new Rx(n, first, count);
  const atCaller = new Rx(n, first, count);
  const ref = new Rx(1, first, count);
  const start = performance.now();
  const refRx = await bind();
  refRx.on("message", (msg) => ref.on(0, msg, start));
  const refTx = await bind();
  await new Promise<void>((r) => refTx.connect(refRx.address().port, "127.0.0.1", () => r()));
  for (let i = 0; i < n; i++) {
    socketsA[i]!.removeAllListeners("message").on("message", (msg) => atCaller.on(i, msg, start));
    socketsB[i]!.removeAllListeners("message").on("message", (msg) => atAgent.on(i, msg, start));
  }

  const packet = (ssrc: number, k: number): Buffer => {
    const b = Buffer.allocUnsafe(172);
    b[0] = 0x80;
    b[1] = 0;
    b.writeUInt16BE(k & 0xffff, 2);
    b.writeUInt32BE((k * 160) >>> 0, 4);
    b.writeUInt32BE(ssrc >>> 0, 8);
    b.fill(0xf5, 12);
    b.writeUInt32BE(k, 12);
    return b;
  };

  const cpu0 = process.cpuUsage();
  let k = 0;
  let measuring = false;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const now = performance.now();
      // Send every frame that is due (a late timer sends its backlog, as a busy phone would).
      while (k < total && start + k * 20 <= now) {
        if (!measuring && k >= first) {
          measuring = true;
          process.send?.({ cmd: "measuring" });
        }
        for (let i = 0; i < n; i++) {
          socketsA[i]!.send(packet(0x10000 + i, k));
          socketsB[i]!.send(packet(0x20000 + i, k));
        }
        refTx.send(packet(1, k));
        k++;
      }
      if (k >= total) {
        done();
        return;
      }
      setTimeout(tick, Math.max(0, start + k * 20 - performance.now()));
    };
    tick();
  });
  process.send?.({ cmd: "sent" });
  const cpu = process.cpuUsage(cpu0);
  const sendWall = performance.now() - start;
  // Late packets still count as delivered (their lateness shows as jitter): wait up to
  // 2 s for the stragglers, less if everything is in.
  const drainEnd = performance.now() + 2000;
  while (performance.now() < drainEnd && atAgent.lost() + atCaller.lost() > 0)
    await new Promise((r) => setTimeout(r, 50));
  refRx.close();
  refTx.close();
  for (const s of [...socketsA, ...socketsB]) s.close();
  socketsA = [];
  socketsB = [];
  const expected = 2 * n * count;
  process.send?.({
    cmd: "result",
    lossPct: (100 * (atAgent.lost() + atCaller.lost())) / expected,
    jitterMs: (atAgent.meanJitter() + atCaller.meanJitter()) / 2,
    refJitterMs: ref.meanJitter(),
    cpuPct: ((cpu.user + cpu.system) / 1000 / sendWall) * 100,
  });
}

function main(): void {
  process.send?.({ cmd: "ready" });
  process.on("message", (m: Msg) => {
    if (m.cmd === "prepare") {
      void (async () => {
        socketsA = await Promise.all(Array.from({ length: m.calls }, bind));
        socketsB = await Promise.all(Array.from({ length: m.calls }, bind));
        process.send?.({
          cmd: "prepared",
          portsA: socketsA.map((s) => s.address().port),
          portsB: socketsB.map((s) => s.address().port),
        });
      })();
    } else if (m.cmd === "run") void run(m);
    else process.exit(0);
  });
}
main();
