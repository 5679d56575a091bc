import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable, freeUdpPort } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";
import { SippUas } from "../support/sipp-uas.js";

const haveSipp = binaryAvailable("sipp");

interface TrunkStatusView {
  status: { health: "up" | "down"; probed: boolean; channels: number } | null;
}

/** Calls out through a trunk to a carrier gateway played by sipp's UAS; its channel limit; no trunk up. */
describe.skipIf(!haveSipp)("outbound calls through a trunk", () => {
  let h: Hotline;
  let admin: string;
  const peers: SippUas[] = [];
  const sw = () => {
    const e = h.server.engine;
    if (!e) throw new Error("no engine");
    return e.switch;
  };
  const trunk = async (id: string) =>
    (await (await h.api("GET", `/api/trunks/${id}`, admin)).json()) as TrunkStatusView;

  beforeAll(async () => {
    h = await Hotline.start();
    admin = await h.tokenOf("9001");
  }, 180_000);
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.kill()));
    await h?.close();
  });

  it("presents the hotline number (From and P-Asserted-Identity), counts the channel, refuses past the limit", async () => {
    const gw = await SippUas.start("invite", await freeUdpPort(), await freeUdpPort(true));
    peers.push(gw);
    const created = await h.api("POST", "/api/trunks", admin, {
      id: "carrier",
      name: "Carrier (sipp UAS)",
      host: "127.0.0.1",
      port: gw.port,
      transport: "udp",
      prefixes: ["0"],
      channelLimit: 1,
      optionsIntervalSeconds: 0,
    });
    expect(created.status).toBe(201);

    const r = await sw().originate({
      to: { kind: "number", number: "02912345678" },
      callerNumber: "12345",
      timeoutMs: 10_000,
    });
    if (!r.ok) throw new Error(`originate failed: ${r.cause} ${r.detail ?? ""}`);
    const invite = await until("INVITE at the gateway", 5_000, () => gw.received("INVITE"));
    expect(invite).toMatch(/^INVITE sip:02912345678@127\.0\.0\.1:\d+ SIP\/2\.0/);
    expect(invite).toMatch(/^From: .*<sip:12345@[^>]+>;tag=/m);
    expect(invite).toMatch(/^P-Asserted-Identity: <sip:12345@[^>]+>$/m);
    expect((await trunk("carrier")).status?.channels).toBe(1);

    // The only channel is in use: refused before any INVITE, with the reason.
    const legsBefore = sw().liveLegs;
    const full = await sw().originate({
      to: { kind: "number", number: "02987654321" },
      callerNumber: "12345",
      timeoutMs: 5_000,
    });
    expect(full).toEqual({
      ok: false,
      cause: "unavailable",
      detail: "every trunk serving this number is at its channel limit",
    });
    expect(sw().liveLegs).toBe(legsBefore);
    expect(gw.messages().match(/^INVITE /gm)).toHaveLength(1);

    // Hanging up frees the channel (BYE answered by the gateway).
    await r.leg.hangup();
    await until("BYE at the gateway", 5_000, () => gw.received("BYE"));
    await until("channel released", 5_000, async () => (await trunk("carrier")).status?.channels === 0);
    // A number no trunk serves.
    expect(
      await sw().originate({
        to: { kind: "number", number: "13800000000" },
        callerNumber: "12345",
        timeoutMs: 1_000,
      }),
    ).toMatchObject({ ok: false, cause: "unavailable", detail: "no trunk serves this number" });
  }, 60_000);

  it("answers the carrier's digest challenge with the trunk's credentials", async () => {
    const gw = await SippUas.start("digest", await freeUdpPort(), await freeUdpPort(true));
    peers.push(gw);
    const created = await h.api("POST", "/api/trunks", admin, {
      id: "carrier-auth",
      name: "Carrier that challenges (sipp)",
      host: "127.0.0.1",
      port: gw.port,
      username: "hotline",
      password: "carrier-pass",
      prefixes: ["00"],
      optionsIntervalSeconds: 0,
    });
    expect(created.status).toBe(201);
    const r = await sw().originate({
      to: { kind: "number", number: "0044123456" },
      callerNumber: "12345",
      timeoutMs: 10_000,
    });
    if (!r.ok) throw new Error(`originate failed: ${r.cause} ${r.detail ?? ""}`);
    // sipp answered 200 only because the retried INVITE's Authorization checked out.
    expect(gw.messages()).toMatch(/^Authorization: Digest .*username="hotline"/m);
    await r.leg.hangup();
    await until("BYE at the gateway", 5_000, () => gw.received("BYE"));
    // And only because of that: with a wrong password the gateway refuses (403).
    await h.api("PATCH", "/api/trunks/carrier-auth", admin, { password: "not-the-password" });
    expect(
      await sw().originate({
        to: { kind: "number", number: "0044123456" },
        callerNumber: "12345",
        timeoutMs: 10_000,
      }),
    ).toEqual({ ok: false, cause: "rejected" });
    await h.api("DELETE", "/api/trunks/carrier-auth", admin);
  }, 60_000);

  it("answers 503 to a call from a trunk whose channels are all in use", async () => {
    const patched = await h.api("PATCH", "/api/trunks/local", admin, { channelLimit: 1 });
    expect(patched.status).toBe(200);
    const target = `127.0.0.1:${h.sipPort}`;
    const first = await SippUas.call(target, "12345", 30_000, await freeUdpPort(), await freeUdpPort(true));
    peers.push(first);
    await until(
      "the first call holds the channel",
      15_000,
      async () => (await trunk("local")).status?.channels === 1,
    );
    const second = await SippUas.call(target, "12345", 1_000, await freeUdpPort(), await freeUdpPort(true));
    peers.push(second);
    await until("503 for the second call", 10_000, () => /^SIP\/2\.0 503 /m.test(second.messages()));
    expect(second.messages()).toMatch(/^Retry-After: 5/m);
    expect((await trunk("local")).status?.channels).toBe(1);
    await h.api("PATCH", "/api/trunks/local", admin, { channelLimit: 0 });
  }, 60_000);

  it("refuses a call out with a clear cause when every trunk serving the number is down, leaking nothing", async () => {
    // The carrier's gateway moves to an address where nothing answers OPTIONS.
    const dead = await freeUdpPort();
    const res = await h.api("PATCH", "/api/trunks/carrier", admin, { port: dead, optionsIntervalSeconds: 1 });
    expect(res.status).toBe(200);
    await until("carrier down", 15_000, async () => (await trunk("carrier")).status?.health === "down");
    const legsBefore = sw().liveLegs;
    const r = await sw().originate({
      to: { kind: "number", number: "02912345678" },
      callerNumber: "12345",
      timeoutMs: 5_000,
    });
    expect(r).toEqual({ ok: false, cause: "unavailable", detail: "all trunks serving this number are down" });
    expect(sw().liveLegs).toBe(legsBefore);
    expect((await trunk("carrier")).status?.channels).toBe(0);
  }, 60_000);
});
