import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { freeUdpPort, runSipp } from "../sip-interop/sipp.js";
import { Hotline, until } from "../support/hotline.js";
import { SippUas } from "../support/sipp-uas.js";

const havePeers = binaryAvailable("baresip") && binaryAvailable("sipp");

/**
 * Flows are data an admin edits through the API: version 2 of the 12345 flow, published, sends
 * the next call straight to another service desk (a sipp UAS standing in for it) by SIP URI.
 * The transfer verb calls it presenting the hotline number, bridges and records the caller with it.
 */
describe.skipIf(!havePeers)("a flow edited through the API transfers callers by SIP URI", () => {
  let h: Hotline;
  let vm: SippUas;
  beforeAll(async () => {
    // The outside voicemail server the voicemail verb hands callers to.
    vm = await SippUas.start("invite", await freeUdpPort(), await freeUdpPort());
    h = await Hotline.start({ HOTLINE_VOICEMAIL_URI: `sip:vm@127.0.0.1:${vm.port}` });
  }, 180_000);
  afterAll(async () => {
    await vm?.kill();
    await h?.close();
  });

  it("publishes version 2 (transfer to a department desk), the next call follows it, is bridged and recorded", async () => {
    const admin = await h.tokenOf("9001");
    const deskPort = await freeUdpPort();
    const desk = `sip:dept@127.0.0.1:${deskPort}`;
    const definition = {
      id: "hotline-12345",
      name: "12345 — all calls to the department desk",
      version: 1,
      start: "to-desk",
      nodes: {
        "to-desk": { verb: "transfer", target: { kind: "uri", uri: desk }, failed: "sorry" },
        sorry: { verb: "hangup", prompts: ["goodbye"] },
      },
    };
    const added = await h.api("POST", "/api/flows/hotline-12345/versions", admin, {
      definition,
      comment: "desk drill",
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const { version } = (await added.json()) as { version: number };
    expect(version).toBe(2);
    // A flow that does not validate is refused with a stable code and changes nothing.
    const bad = await h.api("POST", "/api/flows/hotline-12345/versions", admin, {
      definition: { ...definition, start: "nowhere" },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe("HOTLINE_ERR_FLOW_INVALID");
    const published = await h.api("POST", "/api/flows/hotline-12345/publish", admin, { version });
    expect(published.status, await published.clone().text()).toBe(200);

    // The department desk: sipp's built-in UAS answers one call and waits for our BYE.
    const deskRun = runSipp(["-sn", "uas", "-i", "127.0.0.1", "-p", String(deskPort), "-m", "1"], 60_000);
    const caller = await h.dial("13812345678", 1000);
    const call = await until("the call transferred", 30_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .selectAll()
        .where("caller", "=", "13812345678")
        .executeTakeFirst()
        .then(async (c) => {
          if (!c) return undefined;
          const ev = await h.server.store.db
            .selectFrom("call_events")
            .select("kind")
            .where("call_id", "=", c.id)
            .where("kind", "=", "transferred")
            .executeTakeFirst();
          return ev ? c : undefined;
        }),
    );
    const rec = await h.recordingOf(call.id);
    expect(rec.agent_id).toBe(desk);
    await h.recorded(rec.path, 2);
    await caller.command("hangup");
    const sipp = await deskRun;
    expect(sipp.successful, sipp.output).toBe(1);
    const ended = await h.callEnded(call.id);
    expect(ended.outcome).toBe("transferred");
    expect(ended.ivr_path as Array<{ nodeId: string }>).toEqual([
      expect.objectContaining({ nodeId: "to-desk" }),
    ]);
  }, 120_000);

  it("a published flow's voicemail verb hands the caller to the outside voicemail server, saying whom they wanted (History-Info, Diversion)", async () => {
    const admin = await h.tokenOf("9001");
    const added = await h.api("POST", "/api/flows/hotline-12345/versions", admin, {
      definition: {
        id: "hotline-12345",
        name: "12345 — leave a message for the tax desk",
        version: 1,
        start: "mailbox",
        nodes: {
          mailbox: { verb: "voicemail", mailbox: "tax-desk", next: "bye" },
          bye: { verb: "hangup", prompts: ["goodbye"] },
        },
      },
    });
    expect(added.status, await added.clone().text()).toBe(201);
    const { version } = (await added.json()) as { version: number };
    expect((await h.api("POST", "/api/flows/hotline-12345/publish", admin, { version })).status).toBe(200);

    const caller = await h.dial("13900002222", 1000);
    const invite = await until("INVITE at the voicemail server", 30_000, () => vm.received("INVITE"));
    expect(invite).toMatch(/^History-Info: .*<sip:tax-desk@[^>]+>;index=1\.1/m);
    expect(invite).toMatch(/^Diversion: <sip:tax-desk@[^>]+>;reason=no-answer/m);
    // The mailbox sees who called.
    expect(invite).toMatch(/^From: .*<sip:13900002222@[^>]+>;tag=/m);
    await new Promise((r) => setTimeout(r, 1500)); // a moment connected to the voicemail server
    await caller.command("hangup");
    await until("BYE at the voicemail server", 10_000, () => vm.received("BYE"));
    const call = await until("call row ended", 20_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .selectAll()
        .where("caller", "=", "13900002222")
        .where("ended_at", "is not", null)
        .executeTakeFirst(),
    );
    expect(await kindsOf("13900002222")).toContain("voicemail");
    expect(call.ivr_path as Array<{ nodeId: string }>).toEqual(
      expect.arrayContaining([expect.objectContaining({ nodeId: "mailbox" })]),
    );
  }, 120_000);

  async function kindsOf(caller: string): Promise<string[]> {
    const c = await h.server.store.db
      .selectFrom("calls")
      .select("id")
      .where("caller", "=", caller)
      .executeTakeFirst();
    if (!c) return [];
    return (
      await h.server.store.db.selectFrom("call_events").select("kind").where("call_id", "=", c.id).execute()
    ).map((e) => e.kind);
  }
});
