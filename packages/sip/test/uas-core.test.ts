/** UAS-core rules fed straight into a stack (in-memory transport, fake clock). */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../src/clock.js";
import type { SipResponse } from "../src/message.js";
import { SipStack } from "../src/stack.js";
import { MemoryTransport } from "./memory-transport.js";

const src = { protocol: "udp" as const, address: "198.51.100.4", port: 5062 };
const req = (o: { method?: string; branch: string; cseq?: number; toTag?: string; via?: string }) => {
  const m = o.method ?? "OPTIONS";
  return `${m} sip:svc@192.0.2.1 SIP/2.0\r\nVia: ${o.via ?? `SIP/2.0/UDP 198.51.100.4:5062;branch=${o.branch}`}\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=ft\r\nTo: <sip:svc@192.0.2.1>${o.toTag ? `;tag=${o.toTag}` : ""}\r\nCall-ID: core-1\r\nCSeq: ${o.cseq ?? 1} ${m}\r\nContent-Length: 0\r\n\r\n`;
};

function setup() {
  const clock = new FakeClock();
  const t = new MemoryTransport();
  const stack = new SipStack({ transports: [t], clock });
  const statuses = () => t.sent.map((s) => (s.msg as SipResponse).status);
  return { clock, t, stack, statuses };
}

describe("UAS core", () => {
  it("a merged request (same From tag, Call-ID, CSeq; other branch) gets 482 (§8.2.2.2)", async () => {
    const { t, stack, statuses } = setup();
    let handled = 0;
    stack.onRequest("OPTIONS", () => {
      handled++; // never answers: the first transaction stays live
    });
    t.inject(req({ branch: "z9hG4bK-1" }), src);
    t.inject(req({ branch: "z9hG4bK-2" }), src);
    await new Promise((r) => setImmediate(r));
    expect(handled).toBe(1);
    expect(statuses()).toEqual([482]);
  });

  it("a Session-Expires below 90 s gets 422 with Min-SE (RFC 4028 §8.1)", () => {
    const { t, statuses } = setup();
    const invite = req({ method: "INVITE", branch: "z9hG4bK-se" }).replace(
      "Content-Length: 0",
      "Session-Expires: 30\r\nContent-Length: 0",
    );
    t.inject(invite, src);
    expect(statuses()).toEqual([422]);
    expect(t.sent[0]?.msg.headers.get("Min-SE")).toBe("90");
  });

  it("an in-dialog request for an unknown dialog gets 481 (§12.2.2)", () => {
    const { t, statuses } = setup();
    t.inject(req({ method: "BYE", branch: "z9hG4bK-3", toTag: "nope" }), src);
    expect(statuses()).toEqual([481]);
  });

  it("responses follow rport to the source port, else the Via port; received is added (§18.2.2, RFC 3581)", async () => {
    const { t, stack } = setup();
    stack.onRequest("OPTIONS", (inc) => {
      inc.respond(200);
    });
    t.inject(req({ branch: "z9hG4bK-4", via: "SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bK-4;rport" }), src);
    t.inject(req({ branch: "z9hG4bK-5", cseq: 2, via: "SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bK-5" }), src);
    await new Promise((r) => setImmediate(r));
    const [a, b] = t.sent;
    expect(a?.dest).toMatchObject({ address: "198.51.100.4", port: 5062 });
    expect(a?.msg.topVia?.params.get("rport")).toBe("5062");
    expect(a?.msg.topVia?.params.get("received")).toBe("198.51.100.4");
    expect(b?.dest).toMatchObject({ address: "198.51.100.4", port: 5070 });
    expect(b?.msg.topVia?.params.get("received")).toBe("198.51.100.4");
  });

  it("in-dialog requests go back to the flow (NAT), or to the route set when there is one", async () => {
    const { t, stack } = setup();
    const dialogs: import("../src/dialog.js").Dialog[] = [];
    stack.onRequest("INVITE", async (inc) => {
      dialogs.push(await inc.accept({ body: "v=0" }));
    });
    const invite = (branch: string, callId: string, extra: string) =>
      `INVITE sip:svc@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.7:5070;branch=${branch};rport\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=ft\r\nTo: <sip:svc@192.0.2.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:phone@10.0.0.7:5070>\r\n${extra}Content-Length: 0\r\n\r\n`;
    const ack = (callId: string, toTag: string) =>
      `ACK sip:svc@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bKack${callId}\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=ft\r\nTo: <sip:svc@192.0.2.1>;tag=${toTag}\r\nCall-ID: ${callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`;
    t.inject(invite("z9hG4bKn1", "nat-1", ""), src);
    t.inject(invite("z9hG4bKn2", "rr-1", "Record-Route: <sip:proxy.example.net:5080;lr>\r\n"), src);
    await new Promise((r) => setImmediate(r));
    for (const s of t.sent.filter((x) => x.msg.kind === "response" && x.msg.status === 200)) {
      t.inject(ack(s.msg.callId, s.msg.toTag!), src);
    }
    await new Promise((r) => setImmediate(r));
    expect(dialogs).toHaveLength(2);
    for (const d of dialogs) void d.bye();
    const byes = t.sent.filter((x) => x.msg.kind === "request" && x.msg.method === "BYE");
    expect(byes.map((b) => [b.msg.callId, b.dest.address, b.dest.port])).toEqual([
      ["nat-1", "198.51.100.4", 5062],
      ["rr-1", "proxy.example.net", 5080],
    ]);
  });

  it("OPTIONS without a handler gets 200 with Allow; other methods 405", () => {
    const { t, statuses } = setup();
    t.inject(req({ branch: "z9hG4bK-6" }), src);
    t.inject(req({ method: "PUBLISH", branch: "z9hG4bK-7", cseq: 3 }), src);
    expect(statuses()).toEqual([200, 405]);
    expect(t.sent[0]?.msg.headers.get("Allow")).toContain("INVITE");
  });

  it("close() is idempotent and ends live transactions and their timers", async () => {
    const { clock, t, stack } = setup();
    stack.onRequest("OPTIONS", (inc) => {
      inc.respond(200);
    });
    t.inject(req({ branch: "z9hG4bK-8" }), src);
    await new Promise((r) => setImmediate(r));
    expect(stack.transactions.size.servers).toBe(1);
    await Promise.all([stack.close(), stack.close()]);
    expect(stack.transactions.size).toEqual({ clients: 0, servers: 0 });
    expect(clock.pending).toBe(0);
  });
});
