import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

/** A desk phone registered over SIP/TCP (RFC 3261 §18) answers like one over UDP. */
describe.skipIf(!haveBaresip)("an agent's desk phone over TCP", () => {
  let h: Hotline;
  beforeAll(async () => {
    h = await Hotline.start();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it("registers over TCP, is rung over TCP, answers, and the call is recorded", async () => {
    const seen: string[] = [];
    h.server.engine?.switch.on("registration", (r) => {
      if (r.agentId === "1003" && r.registered) seen.push(r.transport);
    });
    const phone = await h.agentPhone("1003", 700, { transport: "tcp" });
    expect(seen).toEqual(["tcp"]);
    await h.setState("1003", "READY");
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1003") resolve(e.item.id);
      }),
    );
    const caller = await h.dial("13812340000", 1000);
    const callId = await answered;
    const rec = await h.recordingOf(callId);
    await h.recorded(rec.path, 2);
    await phone.command("hangup");
    await until(
      "1003 in wrap-up",
      15_000,
      async () =>
        ["WRAP_UP", "READY"].includes((await h.server.runtime.agentView("1003")).state) || undefined,
    );
    await caller.command("hangup").catch(() => undefined);
  }, 120_000);
});
