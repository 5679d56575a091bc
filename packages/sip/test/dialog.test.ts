/** Dialog features in fake time over an in-memory wire: session timers, REFER/NOTIFY, Replaces, client digest. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../src/clock.js";
import { type Dialog, parseReferTo } from "../src/dialog.js";
import { DigestAuthenticator } from "../src/digest.js";
import { SipStack } from "../src/stack.js";
import { settle, wire } from "./wire.js";

function pair() {
  const clock = new FakeClock();
  const [ta, tb] = wire();
  const a = new SipStack({ transports: [ta], clock });
  const b = new SipStack({ transports: [tb], clock });
  return { clock, a, b, ta, tb };
}

async function call(a: SipStack, b: SipStack, opts: { sessionExpires?: number } = {}) {
  let uas: Dialog | undefined;
  b.onRequest("INVITE", async (inc) => {
    uas = await inc.accept({ body: "v=0 b" });
  });
  const out = a.invite("sip:bob@192.0.2.20", {
    from: "<sip:alice@192.0.2.10>",
    body: "v=0 a",
    sessionExpires: opts.sessionExpires,
  });
  await settle();
  const uac = await out.dialog;
  await settle();
  if (!uas) throw new Error("no UAS dialog");
  return { uac, uas };
}

describe("session timers (RFC 4028)", () => {
  it("the refresher sends UPDATE at half the interval, which keeps the session", async () => {
    const { clock, a, b } = pair();
    const { uac, uas } = await call(a, b, { sessionExpires: 90 });
    const seen: string[] = [];
    uas.on("request", (r) => {
      seen.push(r.method);
      r.respond(200, { headers: [["Session-Expires", "90;refresher=uac"]] });
    });
    for (let t = 0; t < 200; t++) {
      clock.advance(1000);
      await settle(4);
    }
    expect(seen.filter((m) => m === "UPDATE").length).toBeGreaterThanOrEqual(3);
    expect([uac.state, uas.state]).toEqual(["confirmed", "confirmed"]);
    await uac.bye();
    await settle();
  });

  it("without refreshes the other side sends BYE at expiry minus min(32 s, interval/3)", async () => {
    const { clock, a, b, ta } = pair();
    const { uac, uas } = await call(a, b, { sessionExpires: 90 });
    const ended: string[] = [];
    uas.on("terminated", (why) => ended.push(`uas ${why}`));
    uac.on("terminated", (why) => ended.push(`uac ${why}`));
    ta.up = false; // the refresher's UPDATEs never arrive
    clock.advance(59_000);
    await settle();
    expect(ended).toEqual([]);
    clock.advance(1_000);
    await settle();
    expect(ended).toEqual(["uas session-expired", "uac bye"]);
  });
});

describe("REFER / NOTIFY / Replaces", () => {
  it("REFER with Replaces names a dialog the other side can find; NOTIFY carries the sipfrag", async () => {
    const { a, b } = pair();
    const first = await call(a, b);
    const second = await call(a, b);
    const got: string[] = [];
    first.uas.on("request", (r) => {
      got.push(r.method);
      if (r.method === "REFER") {
        const refer = parseReferTo(r.request.headers.get("Refer-To")!);
        expect(refer.uri).toBe("sip:carol@192.0.2.30");
        // The Replaces names the *second* dialog as seen from B (to-tag = B's tag).
        const found = b.findDialogByReplaces(refer.replaces!);
        expect(found).toBe(second.uas);
        r.respond(202);
      } else {
        expect(r.request.headers.get("Event")).toBe("refer");
        expect(r.request.body.toString()).toBe("SIP/2.0 200 OK\r\n");
        r.respond(200);
      }
    });
    const res = await Promise.all([
      first.uac.refer("sip:carol@192.0.2.30", { replaces: second.uac }),
      settle(),
    ]);
    expect(res[0].status).toBe(202);
    const n = await Promise.all([first.uac.notifyRefer("SIP/2.0 200 OK", true), settle()]);
    expect(n[0].status).toBe(200);
    expect(got).toEqual(["REFER", "NOTIFY"]);
  });

  it("a REFER nobody handles is declined (603); an old CSeq gets 500", async () => {
    const { a, b } = pair();
    const { uac } = await call(a, b);
    const [r1] = await Promise.all([
      uac.request("REFER", { headers: [["Refer-To", "<sip:x@y>"]] }),
      settle(),
    ]);
    expect(r1.status).toBe(603);
    uac.localSeq = 0; // next request carries CSeq 1, below the REFER's 2
    const [r2] = await Promise.all([uac.request("INFO"), settle()]);
    expect(r2.status).toBe(500);
  });
});

describe("client digest through request() / invite()", () => {
  it("an INVITE challenged with 401 is retried once with credentials (CSeq + 1)", async () => {
    const { a, b, clock } = pair();
    const auth = new DigestAuthenticator({
      realm: "trunk",
      lookup: async (u) => (u === "acct" ? "s3cret" : undefined),
      clock,
    });
    const cseqs: number[] = [];
    b.onRequest("INVITE", async (inc) => {
      cseqs.push(inc.request.cseq.seq);
      if ((await auth.authenticate(inc)) === undefined) return;
      await inc.accept({ body: "v=0" });
    });
    const out = a.invite("sip:trunk@192.0.2.20", {
      from: "<sip:12345@192.0.2.10>",
      body: "v=0",
      credentials: { username: "acct", password: "s3cret" },
    });
    await settle();
    const d = await out.dialog;
    expect(cseqs).toEqual([1, 2]);
    expect(d.state).toBe("confirmed");
  });
});

describe("CANCEL races (§9.1)", () => {
  it("a 2xx that crosses our CANCEL is ACKed and ended with BYE; the caller sees 487", async () => {
    const { a, b } = pair();
    const ended: string[] = [];
    b.onRequest("INVITE", async (inc) => {
      const d = await inc.accept({ body: "v=0" });
      d.on("terminated", (why) => ended.push(why));
    });
    const out = a.invite("sip:bob@192.0.2.20", { from: "<sip:alice@192.0.2.10>", body: "v=0" });
    out.cancel(); // before any provisional: held back, as §9.1 asks
    const result = out.dialog.then(
      () => "resolved",
      (e: { status: number }) => e.status,
    );
    await settle(40);
    expect(await result).toBe(487);
    expect(ended).toEqual(["bye"]);
    expect(a.dialogCount + b.dialogCount).toBe(0);
  });
});

describe("forked answers (§13.2.2.4)", () => {
  it("a second 2xx with another To tag is ACKed and ended with BYE; the first dialog stays", async () => {
    const { a, b, tb, ta } = pair();
    const { createResponse } = await import("../src/builders.js");
    const { serializeMessage } = await import("../src/serializer.js");
    const { parseMessage } = await import("../src/parser.js");
    b.onRequest("INVITE", async (inc) => {
      const fork = createResponse(inc.request, 200, {
        toTag: "fork2",
        headers: [["Contact", "<sip:fork2@192.0.2.20>"]],
        body: "v=0 fork",
      });
      const first = inc.accept({ body: "v=0 b" });
      setImmediate(() =>
        tb.send(serializeMessage(fork), { protocol: "udp", address: "192.0.2.10", port: 5060 }),
      );
      await first;
    });
    const out = a.invite("sip:bob@192.0.2.20", { from: "<sip:alice@192.0.2.10>", body: "v=0" });
    await settle(40);
    const d = await out.dialog;
    await settle(40);
    const sentByA = ta.sentLog.map((x) => parseMessage(x)).filter((m) => m.kind === "request");
    const toFork = sentByA
      .filter((m) => m.toTag === "fork2")
      .map((m) => (m.kind === "request" ? m.method : ""));
    expect(toFork).toEqual(["ACK", "BYE"]);
    expect(d.state).toBe("confirmed");
    expect(d.remoteTag).not.toBe("fork2");
  });
});
