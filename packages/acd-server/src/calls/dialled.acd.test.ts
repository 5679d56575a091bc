import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";
import { oneToOneTarget, parseDialled } from "./dialled.js";

/**
 * One-to-one answering against the real ACD runtime and the demo hotline: the enqueue fields
 * `oneToOneTarget` gives reach the named agent only, even when another has waited longer.
 */
describe("one-to-one answering through the ACD", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(storeKinds[0] as (typeof storeKinds)[number]);
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function ready(agentId: string) {
    await t.runtime.acd.login(agentId);
    await t.runtime.acd.setReady(agentId);
  }

  it("offers 123451002 to 1002, not to 1001 who has been idle longer", async () => {
    await ready("1001");
    await ready("1002");
    const offered: string[] = [];
    t.runtime.acd.events.on("call.offered", (e) => offered.push(`${e.item.id}→${e.agentId}`));
    const target = oneToOneTarget(parseDialled("123451002", "12345"), "general", t.runtime);
    expect(target).toEqual({ kind: "agent", agentId: "1002", queueId: "general" });
    if (target.kind !== "agent") return;
    await t.runtime.acd.enqueue({
      callId: "one-1",
      queueId: target.queueId,
      number: "13800002222",
      targetAgent: target.agentId,
    });
    await t.runtime.acd.idle();
    expect(offered).toEqual(["one-1→1002"]);
    expect((await t.runtime.acd.agent("1001")).state).toBe("READY");
  });

  it("moves a call for an agent outside the flow's queue to a queue they serve", async () => {
    await ready("1003");
    const target = oneToOneTarget(parseDialled("123451003", "12345"), "english", t.runtime);
    expect(target).toMatchObject({ kind: "agent", agentId: "1003" });
    if (target.kind !== "agent") return;
    expect(t.runtime.queuesOf("1003")).toContain(target.queueId);
    const offered = new Promise<string>((resolve) =>
      t.runtime.acd.events.on("call.offered", (e) => resolve(e.agentId)),
    );
    await t.runtime.acd.enqueue({
      callId: "one-2",
      queueId: target.queueId,
      number: "13800003333",
      targetAgent: target.agentId,
    });
    expect(await offered).toBe("1003");
  });

  it("routes a number naming nobody as a plain hotline call", () => {
    expect(oneToOneTarget(parseDialled("123459999", "12345"), "general", t.runtime)).toEqual({
      kind: "unknown-agent",
      agentId: "9999",
    });
  });
});
