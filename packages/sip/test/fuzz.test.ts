/**
 * Fuzz (bounded: ~3 s): valid messages mutated by random bytes, truncation, huge and repeated
 * headers, fed to a whole stack (in-memory transport, fake clock). The stack must never throw, no
 * single message may take long (no pathological regex), and once time has run past every timer
 * no transaction, dialog or timer may be left.
 */
import { describe, expect, it } from "vitest";

import { FakeClock } from "../src/clock.js";
import { SipStreamFramer } from "../src/parser.js";
import { SipStack } from "../src/stack.js";
import { MemoryTransport } from "./memory-transport.js";
import { loadTorture } from "./torture.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const base = (method: string, n: number, extra = "") =>
  `${method} sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.9:5060;branch=z9hG4bKf${n};rport\r\nMax-Forwards: 70\r\nFrom: "Alice" <sip:alice@example.com>;tag=a${n}\r\nTo: <sip:bob@example.com>${extra}\r\nCall-ID: fuzz-${n}@x\r\nCSeq: ${n % 7} ${method === "ACK" || method === "CANCEL" ? "INVITE".replace("INVITE", method) : method}\r\nContact: <sip:alice@198.51.100.9:5060>\r\nContent-Type: application/sdp\r\nContent-Length: 11\r\n\r\nv=0\r\no=x 1 1`;

const seeds: Buffer[] = [
  ...loadTorture("valid").map((t) => t.data),
  ...loadTorture("invalid").map((t) => t.data),
];

function template(r: () => number, n: number): Buffer {
  const pick = Math.floor(r() * 8);
  const methods = ["INVITE", "REGISTER", "OPTIONS", "BYE", "ACK", "CANCEL", "INFO"];
  if (pick < 7) return Buffer.from(base(methods[pick]!, n, r() < 0.3 ? ";tag=zz" : ""));
  return Buffer.from(
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKf${n}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
  );
}

function mutate(r: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const op = Math.floor(r() * 8);
    const at = Math.floor(r() * Math.max(1, b.length));
    if (op === 0) b[at] = Math.floor(r() * 256);
    else if (op === 1) b = b.subarray(0, at);
    else if (op === 2) {
      const huge = Buffer.from(`X-Huge: ${"a".repeat(1 + Math.floor(r() * 80_000))}\r\n`);
      const cut = b.indexOf("\r\n");
      b =
        cut < 0
          ? Buffer.concat([b, huge])
          : Buffer.concat([b.subarray(0, cut + 2), huge, b.subarray(cut + 2)]);
    } else if (op === 3) {
      const lines = b.toString("latin1").split("\r\n");
      const l = lines[Math.floor(r() * lines.length)] ?? "";
      const n = Math.floor(r() * 300);
      lines.splice(1, 0, ...Array.from({ length: n }, () => l));
      b = Buffer.from(lines.join("\r\n"), "latin1");
    } else if (op === 4) {
      const junk = Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)));
      b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
    } else if (op === 5) {
      const lines = b.toString("latin1").split("\r\n");
      lines.splice(1 + Math.floor(r() * Math.max(1, lines.length - 1)), 1);
      b = Buffer.from(lines.join("\r\n"), "latin1");
    } else if (op === 6) {
      const chars = [";", ",", "<", ">", '"', "\\", ":", "@", " ", "\t", "=", "%", "[", "]", "\r\n "];
      b = Buffer.concat([
        b.subarray(0, at),
        Buffer.from(chars[Math.floor(r() * chars.length)]!),
        b.subarray(at),
      ]);
    } else {
      b = Buffer.concat([b, b.subarray(0, Math.floor(r() * b.length))]);
    }
  }
  return b;
}

describe("fuzz: mutated messages against a whole stack", () => {
  it("never throws, never stalls on one message, leaks no transaction, dialog or timer", async () => {
    const seed = Number(process.env.SIP_FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = rng(seed);
    const clock = new FakeClock();
    const t = new MemoryTransport();
    const stack = new SipStack({ transports: [t], clock });
    stack.onRequest("INVITE", async (inc) => {
      if (r() < 0.5) await inc.accept({ body: "v=0" }).catch(() => {});
      else inc.respond(486);
    });
    stack.onRequest("REGISTER", (inc) => {
      inc.respond(200);
    });
    const src = { protocol: "udp" as const, address: "198.51.100.9", port: 5060 };
    const end = performance.now() + Number(process.env.SIP_FUZZ_MS ?? 3000);
    let n = 0;
    let slowest = 0;
    while (performance.now() < end) {
      const input = r() < 0.5 ? seeds[Math.floor(r() * seeds.length)]! : template(r, n);
      const data = r() < 0.1 ? input : mutate(r, input);
      const t0 = performance.now();
      try {
        stack.receive(data, src);
      } catch (e) {
        throw new Error(
          `seed ${seed}: stack threw on message #${n}: ${String(e)}\n${data.toString("latin1").slice(0, 500)}`,
        );
      }
      slowest = Math.max(slowest, performance.now() - t0);
      n++;
      if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (n % 200 === 0) clock.advance(100);
    }
    expect(n, `seed ${seed}`).toBeGreaterThan(200);
    expect(slowest, `seed ${seed}: slowest message took ${slowest} ms`).toBeLessThan(1000);
    expect(t.sent.length).toBeGreaterThan(0);
    // Run time past every timer: 2xx retransmission (64*T1), the BYE that follows, H, J, K, L, M.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 400; i++) {
      clock.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (process.env.SIP_FUZZ_DEBUG) {
      for (const tx of stack.transactions.serverTransactions())
        console.log(
          tx.state,
          tx.request.method,
          tx.request.headers.get("CSeq"),
          tx.request.headers.get("To"),
          tx.timersRunning,
        );
    }
    expect(stack.transactions.size, `seed ${seed}`).toEqual({ clients: 0, servers: 0 });
    expect(stack.dialogCount, `seed ${seed}`).toBe(0);
    expect(stack.pendingInvites.size, `seed ${seed}`).toBe(0);
    expect(clock.pending, `seed ${seed}`).toBe(0);
  }, 15_000);
});

describe("fuzz: the stream framer", () => {
  it("cuts random splits of mutated streams without throwing or buffering past the limit", () => {
    const seed = Number(process.env.SIP_FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = rng(seed);
    const end = performance.now() + 1000;
    let streams = 0;
    while (performance.now() < end) {
      const framer = new SipStreamFramer();
      const parts: Buffer[] = [];
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++) {
        const m = seeds[Math.floor(r() * seeds.length)]!;
        parts.push(r() < 0.3 ? mutate(r, m) : m, r() < 0.2 ? Buffer.from("\r\n\r\n") : Buffer.alloc(0));
      }
      const stream = Buffer.concat(parts);
      let at = 0;
      let broken = false;
      while (at < stream.length) {
        const n = 1 + Math.floor(r() * 700);
        let items: ReturnType<SipStreamFramer["push"]>;
        try {
          items = framer.push(stream.subarray(at, at + n));
        } catch (e) {
          throw new Error(`seed ${seed}: framer threw: ${String(e)}`);
        }
        for (const it of items) {
          if (it.kind === "error") broken = true;
          if (it.kind === "message") expect(it.data.length).toBeLessThanOrEqual(65_535);
        }
        if (broken) expect(framer.push(Buffer.from("OPTIONS"))).toEqual([]);
        at += n;
      }
      streams++;
    }
    expect(streams, `seed ${seed}`).toBeGreaterThan(5);
  });
});
