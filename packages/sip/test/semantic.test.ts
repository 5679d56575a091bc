/**
 * RFC 4475 application-layer and backward-compatibility cases (semantic/ fixtures): syntactically
 * valid requests the stack must answer as the RFC says, fed to a whole stack.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../src/clock.js";
import { DigestAuthenticator } from "../src/digest.js";
import type { SipResponse } from "../src/message.js";
import { Registrar } from "../src/registrar.js";
import { SipStack } from "../src/stack.js";
import { MemoryTransport } from "./memory-transport.js";
import { loadTorture } from "./torture.js";

const expected: Record<string, { final: number; check?: (r: SipResponse) => void }> = {
  // Missing Call-ID, From, To: checked separately below (the 400 cannot carry them).
  insuf: { final: 400 },
  unkscm: { final: 416 },
  novelsc: { final: 416 },
  unksm2: { final: 400 },
  bext01: { final: 420, check: (r) => expect(r.headers.get("Unsupported")).toBe("nothingsupportedhere") },
  invut: { final: 415, check: (r) => expect(r.headers.get("Accept")).toBe("application/sdp") },
  regaut01: { final: 401, check: (r) => expect(r.headers.get("WWW-Authenticate")).toMatch(/^Digest /) },
  inv2543: { final: 200 },
};

describe("RFC 4475 semantic cases", () => {
  const all = loadTorture("semantic");
  it("has a verdict for every fixture", () => {
    expect(all.map((x) => x.name).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const { name, data } of all) {
    it(`${name} → ${expected[name]?.final}`, async () => {
      const clock = new FakeClock();
      const t = new MemoryTransport();
      const stack = new SipStack({ transports: [t], clock });
      const auth = new DigestAuthenticator({ realm: "example.com", lookup: async () => undefined, clock });
      new Registrar(stack, { authenticator: auth }).attach();
      stack.onRequest("INVITE", async (inc) => {
        await inc.accept({ body: "v=0\r\n" }).catch(() => {});
      });
      stack.receive(data, { protocol: "udp", address: "192.0.2.15", port: 5060 });
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      const finals = t.sent
        .map((s) => s.msg)
        .filter((m): m is SipResponse => m.kind === "response" && m.status >= 200);
      if (name === "insuf") {
        // "Ideally, it will respond with a 400 Bad Request error": Via and CSeq copied, reason says why.
        expect(t.unparsed).toHaveLength(1);
        const text = t.unparsed[0]!.toString();
        expect(text.split("\r\n")[0]).toBe("SIP/2.0 400 Missing From header");
        expect(text).toContain("CSeq: 193942 INVITE");
        expect(text).toContain("branch=z9hG4bKkdj.insuf");
      } else {
        expect(finals[0]?.status).toBe(expected[name]?.final);
        expected[name]?.check?.(finals[0]!);
      }
      await stack.close();
    });
  }

  it("inv2543: the RFC 2543 retransmission (no branch) matches the same transaction", async () => {
    const clock = new FakeClock();
    const t = new MemoryTransport();
    const stack = new SipStack({ transports: [t], clock });
    let invites = 0;
    stack.onRequest("INVITE", (inc) => {
      invites++;
      inc.respond(486);
    });
    const data = loadTorture("semantic").find((x) => x.name === "inv2543")!.data;
    const src = { protocol: "udp" as const, address: "192.0.2.15", port: 5060 };
    stack.receive(data, src);
    await new Promise((r) => setImmediate(r));
    stack.receive(data, src);
    await new Promise((r) => setImmediate(r));
    expect(invites).toBe(1);
    expect(t.sent.map((s) => (s.msg.kind === "response" ? s.msg.status : 0))).toEqual([100, 486, 486]);
    await stack.close();
  });
});
