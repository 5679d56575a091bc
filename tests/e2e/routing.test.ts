import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

describe.skipIf(!haveBaresip)("routing with real phones", () => {
  let h: Hotline;
  beforeAll(async () => {
    h = await Hotline.start();
    // A short ring timeout keeps the no-answer case quick; the change applies without a restart.
    const admin = await h.tokenOf("9001");
    const res = await h.api("PATCH", "/api/queues/general", admin, { ringTimeoutSeconds: 5 });
    expect(res.status).toBe(200);
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  it("gives a call 1001 does not answer to 1002, at the head of the queue, and sets 1001 not ready (no answer)", async () => {
    const silent = await h.agentPhone("1001", 600, { answer: false });
    await h.agentPhone("1002", 700);
    // 1001 is ready first, so it has been idle longest and is offered the call first.
    await h.setState("1001", "READY");
    await h.setState("1002", "READY");
    const offers: string[] = [];
    h.server.runtime.acd.events.on("call.offered", (e) => offers.push(e.agentId));
    const answered = new Promise<{ callId: string; agentId: string }>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) =>
        resolve({ callId: e.item.id, agentId: e.agentId }),
      ),
    );
    const caller = await h.dial("13811112222", 1000);
    await silent.waitFor(/Incoming call/i, 20_000);
    const { callId, agentId } = await answered;
    expect(agentId).toBe("1002");
    expect(offers.slice(0, 2)).toEqual(["1001", "1002"]);
    const me = await h.server.runtime.agentView("1001");
    expect(me).toMatchObject({ state: "NOT_READY", reason: "no-answer" });
    // 1001's phone stopped ringing: the engine cancelled its INVITE.
    await silent.waitFor(/session closed/i, 10_000);
    const events = await until("the answer recorded", 10_000, async () => {
      const rows = await h.server.store.db
        .selectFrom("call_events")
        .selectAll()
        .where("call_id", "=", callId)
        .orderBy("id")
        .execute();
      return rows.some((r) => r.kind === "answered") ? rows : undefined;
    });
    expect(events.map((e) => [e.kind, e.agent_id])).toEqual(
      expect.arrayContaining([
        ["rung", "1001"],
        ["requeued", "1001"],
        ["rung", "1002"],
        ["answered", "1002"],
      ]),
    );
    await caller.command("hangup");
    await until("the call ended", 20_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .select("id")
        .where("id", "=", callId)
        .where("ended_at", "is not", null)
        .executeTakeFirst(),
    );
  }, 90_000);

  it("answers a designated priority number before a caller who has waited longer", async () => {
    // Nobody ready: both calls wait in the Mandarin queue.
    await h.setState("1001", "NOT_READY", "meeting");
    await h.setState("1002", "NOT_READY", "meeting");
    const queued: string[] = [];
    h.server.runtime.acd.events.on("call.queued", (e) => queued.push(e.item.number));
    await h.dial("13822223333", 800);
    await until("the first caller queued", 30_000, () => queued.includes("13822223333"));
    await h.dial("13800000001", 900); // on the demo priority list
    await until("the priority caller queued", 30_000, () => queued.includes("13800000001"));
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => resolve(e.item.number)),
    );
    await h.setState("1002", "READY");
    expect(await answered).toBe("13800000001");
  }, 90_000);
});
