import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../src/clock.js";
import { DigestAuthenticator, parseDigest } from "../src/digest.js";
import type { SipResponse } from "../src/message.js";
import { Registrar } from "../src/registrar.js";
import { createSipStack } from "../src/server.js";
import { SipStack } from "../src/stack.js";
import { MemoryTransport } from "./memory-transport.js";

const users: Record<string, string> = { "1001": "hotline-1001", "1002": "hotline-1002" };
const lookup = async (u: string) => users[u];
const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function server(opts: { algorithms?: Array<"MD5" | "SHA-256">; maxFailures?: number } = {}) {
  const srv = await createSipStack({ udp: { address: "127.0.0.1", port: 0 } });
  const cli = await createSipStack({ udp: { address: "127.0.0.1", port: 0 } });
  stacks.push(srv, cli);
  const auth = new DigestAuthenticator({ realm: "localhost", lookup, ...opts });
  const registrar = new Registrar(srv, { authenticator: auth }).attach();
  const port = srv.transports[0]!.local.port;
  const register = (user: string, password: string | undefined, expires = 600) => {
    const req = cli.createRequest("REGISTER", `sip:127.0.0.1:${port}`, {
      from: `<sip:${user}@localhost>`,
      to: `<sip:${user}@localhost>`,
      headers: [
        ["Contact", `<sip:${user}@127.0.0.1:${cli.transports[0]!.local.port}>`],
        ["Expires", String(expires)],
      ],
    });
    return cli.request(req, password === undefined ? {} : { credentials: { username: user, password } });
  };
  return { srv, cli, auth, registrar, register, port };
}

const shape = (r: SipResponse) => ({
  status: r.status,
  challenges: r.headers.getLines("WWW-Authenticate").map((v) => {
    const p = parseDigest(v)!;
    return [p.get("realm"), p.get("algorithm"), p.get("qop"), p.get("stale") ?? ""];
  }),
});

describe("digest authentication and registrar over UDP", () => {
  it("challenges, then registers with SHA-256 (preferred) and lists the binding", async () => {
    const { register, registrar, cli } = await server();
    const first = await register("1001", undefined);
    expect(shape(first)).toEqual({
      status: 401,
      challenges: [
        ["localhost", "SHA-256", "auth", ""],
        ["localhost", "MD5", "auth", ""],
      ],
    });
    const events: string[] = [];
    registrar.on("registered", (b) => events.push(`${b.aor} ${b.source.port}`));
    const ok = await register("1001", "hotline-1001");
    expect(ok.status).toBe(200);
    expect(ok.contacts).toHaveLength(1);
    expect(ok.contacts[0]?.params.get("expires")).toBe("600");
    expect(registrar.lookup("sip:1001@localhost")).toHaveLength(1);
    expect(events).toEqual([`sip:1001@localhost ${cli.transports[0]!.local.port}`]);
  });

  it("MD5 only servers work too (RFC 2617 clients)", async () => {
    const { register } = await server({ algorithms: ["MD5"] });
    expect((await register("1002", "hotline-1002")).status).toBe(200);
  });

  it("unknown user and wrong password get the same answer", async () => {
    const { register } = await server();
    const unknown = await register("9999", "whatever");
    const wrong = await register("1001", "wrong");
    expect(shape(unknown)).toEqual(shape(wrong));
    expect(unknown.status).toBe(401);
  });

  it("locks out a source after repeated failures; the lockout is visible and can be lifted", async () => {
    const { register, auth } = await server({ maxFailures: 3 });
    const lockouts: string[] = [];
    auth.on("lockout", (l) => lockouts.push(`${l.kind}:${l.key}`));
    for (let i = 0; i < 3; i++) expect((await register("1001", "bad")).status).toBe(401);
    expect((await register("1001", "hotline-1001")).status).toBe(403);
    expect(lockouts.sort()).toEqual(["source:127.0.0.1", "user:1001"]);
    expect(
      auth
        .lockouts()
        .map((l) => l.kind)
        .sort(),
    ).toEqual(["source", "user"]);
    auth.unlock("source", "127.0.0.1");
    auth.unlock("user", "1001");
    expect((await register("1001", "hotline-1001")).status).toBe(200);
  });
});

describe("replay, scanners and expiry (in-memory transport, fake time)", () => {
  const via = (b: string) => `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${b};rport\r\n`;
  const src = { protocol: "udp" as const, address: "198.51.100.7", port: 5060 };

  function setup() {
    const clock = new FakeClock();
    const t = new MemoryTransport();
    const stack = new SipStack({ transports: [t], clock });
    const auth = new DigestAuthenticator({ realm: "localhost", lookup, clock });
    const registrar = new Registrar(stack, { authenticator: auth, minExpires: 60 }).attach();
    const last = () => t.sent[t.sent.length - 1]!.msg as SipResponse;
    return { clock, t, stack, auth, registrar, last };
  }

  it("a replayed Authorization (same nonce-count) is refused", async () => {
    const { t, last } = setup();
    const reg = (b: string, cseq: number, authz = "") =>
      `REGISTER sip:localhost SIP/2.0\r\n${via(b)}From: <sip:1001@localhost>;tag=f\r\nTo: <sip:1001@localhost>\r\nCall-ID: replay\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:1001@198.51.100.7>\r\n${authz}Content-Length: 0\r\n\r\n`;
    t.inject(reg("1", 1), src);
    await new Promise((r) => setImmediate(r));
    const ch = parseDigest(last().headers.get("WWW-Authenticate")!)!;
    const { digestResponse } = await import("../src/digest.js");
    const response = digestResponse({
      algorithm: "SHA-256",
      username: "1001",
      realm: "localhost",
      password: "hotline-1001",
      method: "REGISTER",
      uri: "sip:localhost",
      nonce: ch.get("nonce")!,
      nc: "00000001",
      cnonce: "abc",
      qop: "auth",
    });
    const authz = `Authorization: Digest username="1001", realm="localhost", nonce="${ch.get("nonce")}", uri="sip:localhost", response="${response}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="abc"\r\n`;
    t.inject(reg("2", 2, authz), src);
    await new Promise((r) => setImmediate(r));
    expect(last().status).toBe(200);
    t.inject(reg("3", 3, authz), src);
    await new Promise((r) => setImmediate(r));
    expect(last().status).toBe(401);
  });

  it("an expired nonce with the right password gets a fresh challenge with stale=true", async () => {
    const { t, last, clock } = setup();
    const { digestResponse } = await import("../src/digest.js");
    const reg = (b: string, cseq: number, authz = "") =>
      `REGISTER sip:localhost SIP/2.0\r\n${via(b)}From: <sip:1001@localhost>;tag=f\r\nTo: <sip:1001@localhost>\r\nCall-ID: stale\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:1001@198.51.100.7>\r\n${authz}Content-Length: 0\r\n\r\n`;
    t.inject(reg("s1", 1), src);
    await new Promise((r) => setImmediate(r));
    const nonce = parseDigest(last().headers.get("WWW-Authenticate")!)!.get("nonce")!;
    clock.advance(301_000); // past the 300 s nonce lifetime
    const response = digestResponse({
      algorithm: "MD5",
      username: "1001",
      realm: "localhost",
      password: "hotline-1001",
      method: "REGISTER",
      uri: "sip:localhost",
      nonce,
      nc: "00000001",
      cnonce: "c",
      qop: "auth",
    });
    t.inject(
      reg(
        "s2",
        2,
        `Authorization: Digest username="1001", realm="localhost", nonce="${nonce}", uri="sip:localhost", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"\r\n`,
      ),
      src,
    );
    await new Promise((r) => setImmediate(r));
    expect(last().status).toBe(401);
    expect(parseDigest(last().headers.get("WWW-Authenticate")!)!.get("stale")).toBe("true");
  });

  it("scanners get no answer at all", () => {
    const { t, stack } = setup();
    let dropped = 0;
    stack.on("scannerDropped", () => dropped++);
    t.inject(
      `OPTIONS sip:100@localhost SIP/2.0\r\n${via("s")}From: <sip:100@x>;tag=1\r\nTo: <sip:100@localhost>\r\nCall-ID: scan\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n`,
      src,
    );
    expect(dropped).toBe(1);
    expect(t.sent).toHaveLength(0);
  });

  it("bindings expire in fake time and on flow close; 423 below Min-Expires; * unregisters", async () => {
    const clock = new FakeClock();
    const t = new MemoryTransport("ws");
    const stack = new SipStack({ transports: [t], clock });
    const registrar = new Registrar(stack, { minExpires: 60 }).attach();
    const events: string[] = [];
    registrar.on("expired", (b) => events.push(`expired ${b.contact.host}`));
    registrar.on("unregistered", (b) => events.push(`unregistered ${b.contact.host}`));
    const ws = { protocol: "ws" as const, address: "198.51.100.7", port: 40000, connectionId: "ws-1" };
    const reg = (n: number, contact: string, expires: string) =>
      `REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bKr${n}\r\nFrom: <sip:1003@localhost>;tag=f\r\nTo: <sip:1003@localhost>\r\nCall-ID: exp\r\nCSeq: ${n} REGISTER\r\nContact: ${contact}\r\nExpires: ${expires}\r\nContent-Length: 0\r\n\r\n`;
    const flush = () => new Promise((r) => setImmediate(r));
    t.inject(reg(1, "<sip:a@a.invalid;transport=ws>, <sip:b@b.invalid;transport=ws>", "120"), ws);
    await flush();
    expect(registrar.lookup("sip:1003@localhost").map((b) => b.source.connectionId)).toEqual([
      "ws-1",
      "ws-1",
    ]);
    t.inject(reg(2, "<sip:c@c.invalid>", "10"), ws);
    await flush();
    expect((t.sent[t.sent.length - 1]!.msg as SipResponse).status).toBe(423);
    t.inject(reg(3, "<sip:b@b.invalid;transport=ws>", "0"), ws);
    await flush();
    expect(events).toEqual(["unregistered b.invalid"]);
    clock.advance(120_000);
    expect(events).toEqual(["unregistered b.invalid", "expired a.invalid"]);
    t.inject(reg(4, "<sip:d@d.invalid;transport=ws>", "300"), ws);
    await flush();
    t.closeConnection("ws-1");
    expect(events.at(-1)).toBe("expired d.invalid");
    t.inject(reg(5, "<sip:e@e.invalid>", "300"), ws);
    await flush();
    t.inject(reg(6, "*", "0"), ws);
    await flush();
    expect(events.at(-1)).toBe("unregistered e.invalid");
    expect(registrar.size).toBe(0);
    registrar.close();
    await stack.close();
  });
});

describe("client Registration against the Registrar (fake time, in-memory wire)", () => {
  it("registers through a digest challenge, refreshes before expiry, unregisters on close", async () => {
    const { wire, settle } = await import("./wire.js");
    const { Registration } = await import("../src/registration.js");
    const clock = new FakeClock();
    const [ta, tb] = wire();
    const ua = new SipStack({ transports: [ta], clock });
    const reg = new SipStack({ transports: [tb], clock });
    const auth = new DigestAuthenticator({ realm: "trunk", lookup, clock });
    const registrar = new Registrar(reg, { authenticator: auth, minExpires: 60 }).attach();
    const r = new Registration(ua, {
      registrar: "sip:192.0.2.20",
      aor: "sip:1001@192.0.2.20",
      credentials: { username: "1001", password: "hotline-1001" },
      expires: 120,
    });
    const events: string[] = [];
    r.on("registered", (e) => events.push(`registered ${e}`));
    r.on("unregistered", () => events.push("unregistered"));
    const first = r.start();
    await settle();
    expect((await first).status).toBe(200);
    expect(registrar.lookup("sip:1001@192.0.2.20")).toHaveLength(1);
    // Refreshed at 120 - min(30, 12) = 108 s, so the binding never lapses.
    for (let i = 0; i < 300; i++) {
      clock.advance(1000);
      await settle(3);
    }
    expect(events.filter((e) => e === "registered 120").length).toBeGreaterThanOrEqual(3);
    expect(registrar.lookup("sip:1001@192.0.2.20")).toHaveLength(1);
    const closing = r.close();
    await settle();
    await closing;
    expect(events.at(-1)).toBe("unregistered");
    expect(registrar.size).toBe(0);
    registrar.close();
    await Promise.all([ua.close(), reg.close()]);
  });
});
