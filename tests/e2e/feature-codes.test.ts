import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable } from "../media-interop/support/peers.js";
import type { Baresip } from "../support/baresip.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

/**
 * An agent on a plain SIP phone drives their state with feature codes: the phone dials *21,
 * *22, *23; each call is answered, confirmed by a prompt and hung up, and the REST view of the
 * agent follows. A code that is not configured is refused before answer.
 */
describe.skipIf(!haveBaresip)("feature codes from a real SIP phone", () => {
  let h: Hotline;
  let phone: Baresip;
  let token: string;
  beforeAll(async () => {
    // No trusted trunk on this machine's address: the agent's INVITEs must pass digest, as an
    // agent's phone on the hotline's LAN does (a trunk's calls never change an agent's state).
    h = await Hotline.start({ HOTLINE_SIP_TRUSTED_ADDRESSES: "192.0.2.1" });
    phone = await h.agentPhone("1001", 600);
    token = await h.tokenOf("1001");
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  const closed = () => phone.log.match(/session closed/gi)?.length ?? 0;
  const stateOf = async () =>
    (await (await h.api("GET", "/api/agents/me", token)).json()) as { state: string; reason?: string };

  /** Dials a code from the agent's phone and waits for the call to end (either side). */
  async function dialCode(code: string): Promise<void> {
    const before = closed();
    await phone.command("dial", `sip:${code}@127.0.0.1:${h.sipPort}`);
    await until(`the ${code} call to end`, 30_000, () => closed() > before);
  }

  it("logs in ready with *21, goes not ready with *22, logs out with *23", async () => {
    expect(await stateOf()).toMatchObject({ state: "LOGGED_OUT" });

    await dialCode("*21");
    // READY is applied once the confirmation has played and the call is down.
    await until("1001 ready", 30_000, async () => (await stateOf()).state === "READY");
    expect(phone.log).toMatch(/Call answered|call established/i);

    await dialCode("*22");
    await until("1001 not ready", 30_000, async () => (await stateOf()).state === "NOT_READY");
    expect(await stateOf()).toMatchObject({ state: "NOT_READY", reason: "break" });

    await dialCode("*23");
    await until("1001 logged out", 30_000, async () => (await stateOf()).state === "LOGGED_OUT");

    // The same history rows as changes made on the desk.
    await h.server.runtime.flushHistory();
    const rows = await h.server.store.db
      .selectFrom("agent_state_history")
      .select(["from_state", "to_state", "reason"])
      .where("agent_id", "=", "1001")
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { from_state: "LOGGED_OUT", to_state: "NOT_READY", reason: "login" },
      { from_state: "NOT_READY", to_state: "READY", reason: null },
      { from_state: "READY", to_state: "NOT_READY", reason: "break" },
      { from_state: "NOT_READY", to_state: "LOGGED_OUT", reason: "logout" },
    ]);
  }, 180_000);

  it("refuses a code that is not configured before answering, and changes nothing", async () => {
    await dialCode("*29");
    expect(phone.log).toMatch(/480 Temporarily Unavailable/i);
    expect(await stateOf()).toMatchObject({ state: "LOGGED_OUT" });
  }, 120_000);

  it("answers a change the ACD does not allow with a prompt, not a crash: *24 outside wrap-up", async () => {
    const answeredBefore = phone.log.match(/Call answered|call established/gi)?.length ?? 0;
    await dialCode("*24");
    // Answered (the refusal is spoken), then hung up by the server; the state is unchanged.
    expect(phone.log.match(/Call answered|call established/gi)?.length ?? 0).toBeGreaterThan(answeredBefore);
    expect(await stateOf()).toMatchObject({ state: "LOGGED_OUT" });
    // Nothing of the call is left: the server's leg (dialog, RTP port) is gone.
    await until("the leg released", 30_000, () => h.server.engine?.switch.liveLegs === 0);
  }, 120_000);

  it("ends after-call work with *24: the agent is ready again once the call is down", async () => {
    // A call the ACD hands to 1001 and 1001 finishes: the desk-less agent is in wrap-up.
    const acd = h.server.runtime.acd;
    await h.setState("1001", "READY");
    await acd.enqueue({ callId: "fc-wrap", queueId: "general", number: "13800001111" });
    await until("1001 offered the call", 30_000, async () => (await acd.agent("1001")).state === "RINGING");
    await acd.answered("1001", "fc-wrap");
    await acd.hangup("1001", "fc-wrap");
    expect(await stateOf()).toMatchObject({ state: "WRAP_UP" });

    await dialCode("*24");
    await until("1001 ready", 30_000, async () => (await stateOf()).state === "READY");
    await h.server.runtime.flushHistory();
    const last = await h.server.store.db
      .selectFrom("agent_state_history")
      .select(["from_state", "to_state"])
      .where("agent_id", "=", "1001")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ from_state: "WRAP_UP", to_state: "READY" });
  }, 120_000);

  it("acts for the user the phone proved with digest, not the one its From names", async () => {
    // A phone of 1003's that claims to be 1004 in From (its digest user is 1003).
    const { Baresip } = await import("../support/baresip.js");
    const { toneWav } = await import("../support/hotline.js");
    const spoof = await Baresip.start({
      account: `<sip:1004@127.0.0.1:${h.sipPort}>;auth_user=1003;auth_pass=hotline-1003;regint=0`,
      sourceWav: toneWav(`${h.dir}/spoof.wav`, 500),
    });
    h.phones.push(spoof);
    const before = spoof.log.match(/session closed/gi)?.length ?? 0;
    await spoof.command("dial", `sip:*21@127.0.0.1:${h.sipPort}`);
    await until(
      "the *21 call to end",
      30_000,
      () => (spoof.log.match(/session closed/gi)?.length ?? 0) > before,
    );
    await until(
      "1003 ready",
      30_000,
      async () => (await h.server.runtime.agentView("1003")).state === "READY",
    );
    expect((await h.server.runtime.agentView("1004")).state).toBe("LOGGED_OUT");
  }, 120_000);
});
