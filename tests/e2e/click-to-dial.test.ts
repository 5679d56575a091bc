import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable, freeUdpPort } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";
import { SippUas } from "../support/sipp-uas.js";

const havePeers = binaryAvailable("sipp") && binaryAvailable("baresip");

/**
 * Click-to-dial (the desk's dial box, the business system's callback button): the agent's own
 * phone rings first, then the citizen's number through a trunk (a carrier gateway played by
 * sipp), presenting the hotline number, never the agent's. The call is recorded, and a ready
 * agent is kept out of inbound routing while on it.
 */
describe.skipIf(!havePeers)("click-to-dial through a trunk", () => {
  let h: Hotline;
  let gw: SippUas;
  beforeAll(async () => {
    h = await Hotline.start();
    gw = await SippUas.start("invite", await freeUdpPort(), await freeUdpPort(true));
    const admin = await h.tokenOf("9001");
    const created = await h.api("POST", "/api/trunks", admin, {
      id: "carrier",
      name: "Carrier (sipp UAS)",
      host: "127.0.0.1",
      port: gw.port,
      transport: "udp",
      prefixes: ["1"],
      channelLimit: 10,
      optionsIntervalSeconds: 0,
    });
    expect(created.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await gw?.kill();
    await h?.close();
  });

  it("rings agent 1001, then dials the citizen presenting 12345; recorded; 1001 is not offered calls meanwhile and ready again after", async () => {
    const phone = await h.agentPhone("1001", 600);
    await h.setState("1001", "READY");
    const token = await h.tokenOf("1001");
    // An agent dials for themselves only.
    const other = await h.api("POST", "/api/calls/originate", token, {
      number: "13900001111",
      agentId: "1002",
    });
    expect(other.status).toBe(403);
    const bad = await h.api("POST", "/api/calls/originate", token, { number: "call me" });
    expect(bad.status).toBe(400);

    const res = await h.api("POST", "/api/calls/originate", token, { number: "13900001111" });
    expect(res.status, await res.clone().text()).toBe(202);
    const { callId } = (await res.json()) as { callId: string };
    const invite = await until("INVITE at the gateway", 15_000, () => gw.received("INVITE"));
    expect(invite).toMatch(/^INVITE sip:13900001111@127\.0\.0\.1:\d+ SIP\/2\.0/);
    expect(invite).toMatch(/^From: .*<sip:12345@[^>]+>;tag=/m);
    expect(invite).toMatch(/^P-Asserted-Identity: <sip:12345@[^>]+>$/m);
    expect(invite).not.toMatch(/1001/);

    const rec = await h.recordingOf(callId);
    await h.recorded(rec.path, 2);
    const during = await h.server.runtime.agentView("1001");
    expect(during).toMatchObject({ state: "NOT_READY", reason: "outbound" });
    const live = await h.api("GET", `/api/calls/${callId}`, token);
    expect(((await live.json()) as { caller: string }).caller).toBe("139****1111");

    await phone.command("hangup");
    await until("BYE at the gateway", 10_000, () => gw.received("BYE"));
    const call = await h.callEnded(callId);
    expect(call).toMatchObject({
      direction: "outbound",
      caller: "12345",
      dialled: "13900001111",
      origin: "1001",
      agent_id: "1001",
      outcome: "completed",
    });
    await until(
      "1001 ready again",
      10_000,
      async () => (await h.server.runtime.agentView("1001")).state === "READY" || undefined,
    );
  }, 120_000);
});
