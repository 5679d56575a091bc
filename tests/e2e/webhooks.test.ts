import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

const haveBaresip = binaryAvailable("baresip");

/** The 12345 business system hears of a real call: offered, answered, ended — signed, once each. */
describe.skipIf(!haveBaresip)("call webhooks", () => {
  let h: Hotline;
  let hooks: WebhookReceiver;
  beforeAll(async () => {
    h = await Hotline.start();
    hooks = await WebhookReceiver.start("business-system-secret-2");
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    await hooks?.close();
  });

  it("delivers call.offered, call.answered, call.ended and survey.completed for a call agent 1001 answers and the caller rates", async () => {
    const admin = await h.tokenOf("9001");
    const sub = await h.api("POST", "/api/webhooks", admin, {
      id: "bizsys",
      url: hooks.url,
      secret: hooks.secret,
      events: ["call.offered", "call.answered", "call.ended", "survey.completed"],
    });
    expect(sub.status).toBe(201);

    const agent = await h.agentPhone("1001", 600);
    await h.setState("1001", "READY");
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1001") resolve(e.item.id);
      }),
    );
    const caller = await h.dial("13812345678", 1000);
    const callId = await answered;
    const recording = await h.recordingOf(callId);
    await h.recorded(recording.path, 1);
    await agent.command("hangup");

    const ended = await until("call.ended delivered", 30_000, () => hooks.of("call.ended")[0]);
    const offered = hooks.of("call.offered");
    const ans = hooks.of("call.answered");
    expect(offered).toHaveLength(1);
    expect(ans).toHaveLength(1);
    const call = { callId, callerNumber: "13812345678", queueId: "general", agentId: "1001" };
    expect(offered[0]?.body.data).toMatchObject({ ...call, ringTimeoutSeconds: expect.any(Number) });
    expect(ans[0]?.body.data).toMatchObject({ ...call, withinServiceLevel: true });
    expect(ended.body.data).toMatchObject({ ...call, reason: "hangup" });
    for (const r of [offered[0], ans[0], ended]) {
      expect(r?.signed).toBe(true);
      expect(r?.headers["x-hotline-delivery"]).toBe(r?.body.id);
      expect(typeof r?.body.data.attached).toBe("object");
    }
    // In the order the call went.
    const order = hooks.received.map((r) => r.event).filter((e) => e.startsWith("call."));
    expect(order).toEqual(["call.offered", "call.answered", "call.ended"]);

    // The caller rates the call (keys before the question are cleared, so press until taken).
    const survey = await until("survey.completed delivered", 30_000, async () => {
      const got = hooks.of("survey.completed")[0];
      if (!got) await caller.command("sndcode", "2").catch(() => undefined);
      return got;
    });
    expect(survey.signed).toBe(true);
    expect(survey.body.data).toMatchObject({ ...call, rating: 2 });

    await caller.command("hangup").catch(() => undefined);
    await h.server.webhooks.idle();
    const rows = await h.server.store.db
      .selectFrom("webhook_deliveries")
      .select(["event", "outcome", "attempts"])
      .where("webhook_id", "=", "bizsys")
      .execute();
    expect(rows.map((r) => [r.event, r.outcome])).toEqual(
      expect.arrayContaining([
        ["call.offered", "delivered"],
        ["call.answered", "delivered"],
        ["call.ended", "delivered"],
        ["survey.completed", "delivered"],
      ]),
    );
  }, 90_000);
});
