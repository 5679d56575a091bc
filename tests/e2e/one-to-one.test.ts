import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

/**
 * One-to-one answering: the hotline number followed by an agent's id (123451002) reaches that
 * agent only, after the same greeting, even when another agent has waited longer for a call.
 */
describe.skipIf(!haveBaresip)("one-to-one answering by number", () => {
  let h: Hotline;
  beforeAll(async () => {
    h = await Hotline.start();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it("a caller dialling 123451002 is offered to 1002 only, though 1001 has been idle longer", async () => {
    await h.agentPhone("1001", 600);
    await h.agentPhone("1002", 700);
    await h.setState("1001", "READY");
    await h.setState("1002", "READY");
    const offers: string[] = [];
    h.server.runtime.acd.events.on("call.offered", (e) => offers.push(e.agentId));
    const answered = new Promise<{ callId: string; agentId: string }>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) =>
        resolve({ callId: e.item.id, agentId: e.agentId }),
      ),
    );
    const caller = await h.dial("13812349999", 1000, "123451002");
    const { callId, agentId } = await answered;
    expect(agentId).toBe("1002");
    expect(offers).toEqual(["1002"]);
    const call = await h.server.store.db
      .selectFrom("calls")
      .selectAll()
      .where("id", "=", callId)
      .executeTakeFirstOrThrow();
    expect(call).toMatchObject({ dialled: "123451002", queue_id: "general" });
    await caller.command("hangup");
    const ended = await h.callEnded(callId);
    // The hotline's own flow ran (its greeting), not a fallback.
    expect((ended.ivr_path as Array<{ nodeId: string }>).map((p) => p.nodeId)).toContain("greeting");
    await until(
      "1002 in after-call work",
      15_000,
      async () =>
        ["WRAP_UP", "READY"].includes((await h.server.runtime.agentView("1002")).state) || undefined,
    );
    expect((await h.server.runtime.agentView("1001")).state).toBe("READY");
  }, 120_000);
});
