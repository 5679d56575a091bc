/** Two stacks over real sockets on 127.0.0.1: the UA core end to end, UDP and TCP. */
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { SipError } from "../src/errors.js";
import { parseMessage } from "../src/parser.js";
import { createSipStack } from "../src/server.js";
import type { SipStack } from "../src/stack.js";

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function pair(protocol: "udp" | "tcp") {
  const opt = { [protocol]: { address: "127.0.0.1", port: 0 } };
  const a = await createSipStack({ ...opt, timers: { T1: 50, T2: 400, T4: 500 } });
  const b = await createSipStack({ ...opt, timers: { T1: 50, T2: 400, T4: 500 } });
  stacks.push(a, b);
  const bPort = b.transports[0]!.local.port;
  return { a, b, target: `sip:bob@127.0.0.1:${bPort};transport=${protocol}` };
}

function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () =>
      cond() ? resolve() : Date.now() > end ? reject(new Error("timed out waiting")) : setTimeout(tick, 5);
    tick();
  });
}

for (const protocol of ["udp", "tcp"] as const) {
  describe(`UA core over ${protocol}`, () => {
    it("INVITE / 180 / 200 / ACK / re-INVITE / INFO / BYE", async () => {
      const { a, b, target } = await pair(protocol);
      const seen: string[] = [];
      b.onRequest("INVITE", async (inc) => {
        inc.respond(180);
        const d = await inc.accept({ body: "v=0 answer" });
        d.on("request", (r) => {
          seen.push(`${r.method} ${r.request.body.toString()}`);
          r.respond(200);
        });
        d.on("reinvite", (r) => {
          seen.push(`reinvite ${r.request.body.toString()}`);
          void r.accept({ body: "v=0 hold-answer" });
        });
        d.on("terminated", (why) => seen.push(`b terminated ${why}`));
      });
      const provisional: number[] = [];
      const out = a.invite(target, {
        from: "<sip:alice@example.com>",
        body: "v=0 offer",
        onProvisional: (r) => provisional.push(r.status),
      });
      const dialog = await out.dialog;
      expect(provisional).toContain(180);
      expect(dialog.remoteBody?.toString()).toBe("v=0 answer");
      await until(() => b.dialogCount === 1);
      const mod = await dialog.modify("v=0 hold");
      expect(mod.status).toBe(200);
      expect(mod.body.toString()).toBe("v=0 hold-answer");
      const info = await dialog.info("Signal=5\r\nDuration=160\r\n", "application/dtmf-relay");
      expect(info.status).toBe(200);
      const bye = await dialog.bye();
      expect(bye?.status).toBe(200);
      await until(() => seen.includes("b terminated bye"));
      expect(seen).toEqual(["reinvite v=0 hold", "INFO Signal=5\r\nDuration=160\r\n", "b terminated bye"]);
      expect(a.dialogCount + b.dialogCount).toBe(0);
    });

    it("CANCEL before answer gets 487 and the handler hears it", async () => {
      const { a, b, target } = await pair(protocol);
      let cancelled = false;
      b.onRequest("INVITE", (inc) => {
        inc.respond(180);
        inc.on("cancel", () => {
          cancelled = true;
        });
      });
      const out = a.invite(target, { from: "<sip:alice@example.com>", onProvisional: () => out.cancel() });
      await expect(out.dialog).rejects.toEqual(new SipError(487, "Request Terminated"));
      expect(cancelled).toBe(true);
    });

    it("a rejected INVITE rejects with the status; an unknown method gets 405", async () => {
      const { a, b, target } = await pair(protocol);
      b.onRequest("INVITE", (inc) => {
        inc.respond(486);
      });
      await expect(a.invite(target, { from: "<sip:alice@example.com>" }).dialog).rejects.toMatchObject({
        status: 486,
      });
      const res = await a.request(a.createRequest("PUBLISH", target, { from: "<sip:alice@example.com>" }));
      expect(res.status).toBe(405);
    });

    it("glare: a re-INVITE while ours is pending gets 491 (§14.2)", async () => {
      const { a, b, target } = await pair(protocol);
      let bDialog: import("../src/dialog.js").Dialog | undefined;
      b.onRequest("INVITE", async (inc) => {
        bDialog = await inc.accept({ body: "v=0 b" });
        bDialog.on("reinvite", () => {
          // never answered: keeps B's side "INVITE in progress"
        });
      });
      const d = await a.invite(target, { from: "<sip:alice@example.com>", body: "v=0 a" }).dialog;
      await until(() => bDialog !== undefined);
      d.on("reinvite", () => {});
      const first = d.modify("v=0 a2");
      await until(() => bDialog !== undefined && (bDialog as unknown as { inviteIn: boolean }).inviteIn);
      // A's INVITE is in progress at A: B's re-INVITE to A must get 491.
      const res = await new Promise<import("../src/message.js").SipResponse>((resolve) => {
        const req = bDialog!.createRequest("INVITE", { body: "v=0 b2" });
        b.sendInDialog(req, undefined, resolve);
      });
      expect(res.status).toBe(491);
      void first.catch(() => {});
      await d.bye();
    });
  });
}

describe("keep-alive over TCP (RFC 5626 §3.5.1)", () => {
  it("a double-CRLF ping gets a CRLF pong on the same connection", async () => {
    const { connect } = await import("node:net");
    const s = await createSipStack({ tcp: { address: "127.0.0.1", port: 0 } });
    stacks.push(s);
    const sock = connect(s.transports[0]!.local.port, "127.0.0.1");
    try {
      let got = "";
      sock.on("data", (d) => {
        got += d.toString("latin1");
      });
      await new Promise<void>((r) => sock.on("connect", () => r()));
      sock.write("\r\n\r\n");
      await until(() => got.length > 0);
      expect(got).toBe("\r\n");
    } finally {
      sock.destroy();
    }
  });
});

describe("idle TCP connections", () => {
  it("are closed after idleTimeoutMs without traffic", async () => {
    const { connect } = await import("node:net");
    const s = await createSipStack({ tcp: { address: "127.0.0.1", port: 0, idleTimeoutMs: 200 } });
    stacks.push(s);
    const sock = connect(s.transports[0]!.local.port, "127.0.0.1");
    let closed = false;
    sock.on("close", () => {
      closed = true;
    });
    sock.on("error", () => {});
    await until(() => closed, 3000);
    expect(closed).toBe(true);
  });
});

describe("malformed input over UDP", () => {
  it("a malformed request gets 400 with the reason, a malformed response is dropped", async () => {
    const s = await createSipStack({ udp: { address: "127.0.0.1", port: 0 } });
    stacks.push(s);
    const port = s.transports[0]!.local.port;
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    const got: Buffer[] = [];
    sock.on("message", (m) => got.push(m));
    try {
      const bad =
        "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx;rport\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\n\r\n";
      sock.send(bad, port, "127.0.0.1");
      sock.send("SIP/2.0 200 OK\r\nVia: garbage\r\n\r\n", port, "127.0.0.1");
      await until(() => got.length >= 1);
      const res = parseMessage(got[0]!);

      expect(res.kind === "response" && [res.status, res.reason]).toEqual([
        400,
        "CSeq method does not match request",
      ]);
      expect(res.topVia?.params.get("rport")).toBe(String(sock.address().port));
    } finally {
      sock.close();
    }
  });
});
