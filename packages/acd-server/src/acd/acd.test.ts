import { afterEach, describe, expect, it } from "vitest";
import { Acd, type AcdEvents, validateConfig } from "./acd.js";
import { FakeClock } from "./clock.js";
import { AcdError } from "./errors.js";
import { MemoryLiveState } from "./memory-live-state.js";
import { type AgentProfile, type QueueConfig, queueConfig } from "./types.js";

type Logged = { [K in keyof AcdEvents]: { type: K; payload: AcdEvents[K] } }[keyof AcdEvents];

interface Rig {
  acd: Acd;
  clock: FakeClock;
  state: MemoryLiveState;
  log: Logged[];
  of<K extends keyof AcdEvents>(type: K): AcdEvents[K][];
  advance(ms: number): Promise<void>;
}

const rigs: Rig[] = [];

function rig(queues: QueueConfig[], agents: AgentProfile[]): Rig {
  const clock = new FakeClock(Date.parse("2026-03-02T00:00:00Z"));
  const state = new MemoryLiveState();
  const acd = new Acd({ state, clock, queues, agents });
  const log: Logged[] = [];
  const types: (keyof AcdEvents)[] = [
    "agent.state",
    "agent.wrapup",
    "call.queued",
    "call.rejected",
    "call.reserved",
    "call.offered",
    "call.ringall",
    "call.answered",
    "call.requeued",
    "call.ended",
    "call.abandoned",
    "call.overflowed",
    "call.transferred",
    "call.position",
    "callback.created",
    "error",
  ];
  for (const t of types) acd.events.on(t, (payload) => log.push({ type: t, payload } as Logged));
  const r: Rig = {
    acd,
    clock,
    state,
    log,
    of: <K extends keyof AcdEvents>(type: K) =>
      log.filter((e) => e.type === type).map((e) => e.payload as AcdEvents[K]),
    advance: (ms) => clock.advance(ms, () => acd.idle()),
  };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    expect(r.of("error")).toEqual([]);
    await r.acd.close();
    await r.acd.close(); // idempotent
    expect(r.acd.timerCount).toBe(0);
    expect(r.clock.pendingTimers).toBe(0);
  }
});

const agent = (id: string, skills: Record<string, number> = {}, languages = ["zh"]): AgentProfile => ({
  id,
  skills,
  languages,
});

async function ready(r: Rig, ...ids: string[]) {
  for (const id of ids) {
    await r.acd.login(id);
    await r.acd.setReady(id);
    await r.advance(1_000); // distinct idle times: the first id has waited longest
  }
}

const offeredTo = (r: Rig) => r.of("call.offered").map((o) => [o.item.id, o.agentId]);

describe("routing", () => {
  it("offers a queued call to the longest-idle eligible agent, via RESERVED then RINGING", async () => {
    const r = rig([queueConfig({ id: "general" })], [agent("a1"), agent("a2")]);
    await ready(r, "a2", "a1");
    const res = await r.acd.enqueue({ callId: "c1", queueId: "general", number: "13800000001" });
    expect(res).toMatchObject({ status: "queued", position: 1 });
    await r.acd.idle();
    expect(offeredTo(r)).toEqual([["c1", "a2"]]);
    expect((await r.acd.agent("a2")).state).toBe("RINGING");
    const a2 = r.of("agent.state").filter((e) => e.agentId === "a2");
    expect(a2.map((e) => `${e.from}>${e.to}`)).toEqual([
      "LOGGED_OUT>NOT_READY",
      "NOT_READY>READY",
      "READY>RESERVED",
      "RESERVED>RINGING",
    ]);
    await r.acd.answered("a2", "c1");
    expect(r.of("call.answered")).toMatchObject([{ agentId: "a2", waitMs: 0, withinServiceLevel: true }]);
    await r.acd.hangup("a2", "c1");
    await r.acd.logout("a1");
    await r.acd.logout("a2");
  });

  it("serves higher priority first, then first come first served", async () => {
    const r = rig([queueConfig({ id: "general", wrapUpMs: 0 })], [agent("a1")]);
    await r.acd.login("a1");
    for (const [id, p] of [
      ["c1", 0],
      ["c2", 5],
      ["c3", 0],
      ["c4", 5],
    ] as const) {
      await r.acd.enqueue({ callId: id, queueId: "general", number: "1", priority: p });
    }
    expect((await r.acd.position("c3"))?.position).toBe(4);
    await r.acd.setReady("a1");
    for (const id of ["c2", "c4", "c1", "c3"]) {
      await r.acd.idle();
      expect((await r.acd.agent("a1")).itemId).toBe(id);
      await r.acd.answered("a1", id);
      await r.acd.hangup("a1", id);
      await r.advance(0); // wrap-up of 0 ms ends, agent READY again
    }
    expect(offeredTo(r).map(([c]) => c)).toEqual(["c2", "c4", "c1", "c3"]);
    await r.acd.logout("a1");
  });

  it("routes only to agents with the skills (minimum level) and the call's language", async () => {
    const r = rig(
      [queueConfig({ id: "tax", requiredSkills: { tax: 5 } })],
      [agent("low", { tax: 4 }), agent("en", { tax: 6 }, ["zh", "en"]), agent("zh", { tax: 9 })],
    );
    await ready(r, "low", "zh", "en");
    await r.acd.enqueue({ callId: "c1", queueId: "tax", number: "1", language: "en" });
    await r.acd.enqueue({ callId: "c2", queueId: "tax", number: "1" });
    await r.acd.idle();
    expect(offeredTo(r)).toEqual([
      ["c1", "en"],
      ["c2", "zh"],
    ]);
    await r.acd.enqueue({ callId: "c3", queueId: "tax", number: "1" });
    await r.acd.idle();
    expect((await r.acd.agent("low")).state).toBe("READY");
    expect((await r.acd.position("c3"))?.position).toBe(1);
    for (const a of ["low", "en", "zh"]) await r.acd.logout(a);
  });

  it("looks past any number of calls needing a language no READY agent speaks (found by the simulation)", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("zh"), agent("en", {}, ["zh", "en"])]);
    for (let i = 0; i < 40; i++)
      await r.acd.enqueue({ callId: `en${i}`, queueId: "g", number: "1", language: "en" });
    await r.acd.enqueue({ callId: "zh1", queueId: "g", number: "1" });
    await ready(r, "zh");
    expect(offeredTo(r)).toEqual([["zh1", "zh"]]);
    await ready(r, "en");
    expect(offeredTo(r).at(-1)).toEqual(["en0", "en"]);
    await r.acd.logout("zh");
    await r.acd.logout("en");
  });

  it("skill-level strategy prefers the most skilled, round robin rotates", async () => {
    const r = rig(
      [
        queueConfig({ id: "skill", requiredSkills: { x: 1 }, strategy: "skill-level-longest-idle" }),
        queueConfig({ id: "rr", requiredSkills: { y: 1 }, strategy: "round-robin", wrapUpMs: 0 }),
      ],
      [agent("s1", { x: 2 }), agent("s2", { x: 8 }), agent("r1", { y: 1 }), agent("r2", { y: 1 })],
    );
    await ready(r, "s1", "s2", "r1", "r2");
    await r.acd.enqueue({ callId: "k1", queueId: "skill", number: "1" });
    await r.acd.idle();
    expect(offeredTo(r)).toEqual([["k1", "s2"]]);
    const rrOrder: string[] = [];
    for (const id of ["q1", "q2", "q3"]) {
      await r.acd.enqueue({ callId: id, queueId: "rr", number: "1" });
      await r.acd.idle();
      const a = r.of("call.offered").at(-1)!.agentId;
      rrOrder.push(a);
      await r.acd.answered(a, id);
      await r.acd.hangup(a, id);
      await r.advance(0);
    }
    expect(rrOrder).toEqual(["r1", "r2", "r1"]);
    for (const a of ["s1", "s2", "r1", "r2"]) await r.acd.logout(a);
  });
});

describe("ring-all (small teams)", () => {
  it("rings the head call on every eligible READY agent; the first to claim it wins, the others get false", async () => {
    const r = rig(
      [
        queueConfig({ id: "sign", requiredSkills: { sign: 1 }, strategy: "ring-all", wrapUpMs: 0 }),
        queueConfig({ id: "g" }),
      ],
      [agent("s1", { sign: 2 }), agent("s2", { sign: 5 }), agent("s3", { sign: 1 }), agent("x")],
    );
    await ready(r, "s1", "s2", "s3", "x");
    await r.acd.enqueue({ callId: "v1", queueId: "sign", number: "1" });
    await r.acd.enqueue({ callId: "v2", queueId: "sign", number: "1" });
    await r.acd.idle();
    expect(r.of("call.ringall").map((e) => [e.item.id, e.agentIds])).toEqual([["v1", ["s1", "s2", "s3"]]]);
    expect(r.of("call.offered")).toEqual([]); // nobody is reserved until someone picks up
    const [a, b] = await Promise.all([r.acd.claim("s2", "v1"), r.acd.claim("s3", "v1")]);
    expect([a, b]).toEqual([true, false]);
    await r.acd.answered("s2", "v1");
    await r.acd.idle();
    // the next call rings on the agents still free
    expect(
      r
        .of("call.ringall")
        .map((e) => [e.item.id, e.agentIds])
        .at(-1),
    ).toEqual(["v2", ["s1", "s3"]]);
    expect(await r.acd.claim("s3", "v2")).toBe(true);
    expect(r.of("call.reserved").map((e) => [e.item.id, e.agentId, e.via])).toEqual([
      ["v1", "s2", "claim"],
      ["v2", "s3", "claim"],
    ]);
    // an ordinary queue beside it still routes by reservation
    await r.acd.enqueue({ callId: "g1", queueId: "g", number: "1" });
    await r.acd.idle();
    expect(r.of("call.offered").at(-1)).toMatchObject({ item: { id: "g1" }, agentId: "s1" });
    for (const x of ["s1", "s2", "s3", "x"]) await r.acd.logout(x);
  });
});

describe("no call is ever dropped by the ACD", () => {
  it("ring timeout: call back to its original place at the head, agent NOT_READY(no-answer)", async () => {
    const r = rig([queueConfig({ id: "general", ringTimeoutMs: 15_000 })], [agent("a1"), agent("a2")]);
    await ready(r, "a1");
    await r.acd.enqueue({ callId: "c1", queueId: "general", number: "1" });
    await r.acd.enqueue({ callId: "c2", queueId: "general", number: "1" });
    await r.acd.idle();
    await r.advance(14_999);
    expect((await r.acd.agent("a1")).state).toBe("RINGING");
    await r.advance(1);
    expect(r.of("call.requeued")).toMatchObject([{ item: { id: "c1" }, agentId: "a1", reason: "no-answer" }]);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "NOT_READY", reason: "no-answer" });
    expect(await r.acd.position("c1")).toMatchObject({ position: 1 });
    expect(await r.acd.position("c2")).toMatchObject({ position: 2 });
    await ready(r, "a2");
    expect(offeredTo(r)).toEqual([
      ["c1", "a1"],
      ["c1", "a2"],
    ]);
    await r.acd.logout("a1");
    await r.acd.logout("a2");
  });

  it("agent disconnect while ringing: call back to the head, agent LOGGED_OUT", async () => {
    const r = rig([queueConfig({ id: "general" })], [agent("a1")]);
    await r.acd.enqueue({ callId: "c0", queueId: "general", number: "1" });
    await ready(r, "a1");
    await r.acd.enqueue({ callId: "c1", queueId: "general", number: "1" });
    await r.acd.logout("a1", "disconnect");
    expect(r.of("call.requeued")).toMatchObject([{ item: { id: "c0" }, reason: "agent-disconnect" }]);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "LOGGED_OUT", reason: "disconnect" });
    expect((await r.state.peek("general", 10)).map((i) => i.id)).toEqual(["c0", "c1"]);
  });

  it("maximum wait overflows to the target queue; maximum size overflows at once; whitelist bypasses it", async () => {
    const r = rig(
      [
        queueConfig({ id: "a", maxWaitMs: 60_000, maxSize: 2, overflow: { kind: "queue", queueId: "b" } }),
        queueConfig({ id: "b", maxWaitMs: 30_000, overflow: { kind: "voicemail", mailbox: "12345" } }),
      ],
      [],
    );
    await r.acd.enqueue({ callId: "c1", queueId: "a", number: "1" });
    await r.advance(10_000);
    await r.acd.enqueue({ callId: "c2", queueId: "a", number: "1" });
    expect(await r.acd.enqueue({ callId: "c3", queueId: "a", number: "1" })).toEqual({
      status: "overflowed",
      target: { kind: "queue", queueId: "b" },
    });
    expect(
      await r.acd.enqueue({ callId: "vip", queueId: "a", number: "1", whitelisted: true }),
    ).toMatchObject({
      status: "queued",
      position: 3,
    });
    const overflows = () => r.of("call.overflowed").map((o) => `${o.item.id}:${o.reason}>${o.target.kind}`);
    // t=40 s: c3 has waited b's 30 s since it entered b at t=10 s
    await r.advance(49_999);
    expect(overflows()).toEqual(["c3:max-size>queue", "c3:max-wait>voicemail"]);
    await r.advance(1); // t=60 s: c1 has waited a's 60 s
    expect(overflows().slice(2)).toEqual(["c1:max-wait>queue"]);
    expect((await r.state.peek("b", 10)).map((i) => i.id)).toEqual(["c1"]);
    await r.advance(10_000); // t=70 s: c2 and vip (both entered a at t=10 s) move to b, behind c1 who arrived first
    expect((await r.state.peek("b", 10)).map((i) => i.id)).toEqual(["c1", "c2", "vip"]);
    await r.advance(30_000); // t=100 s: everyone has waited b's 30 s
    expect(overflows().slice(3)).toEqual([
      "c2:max-wait>queue",
      "vip:max-wait>queue",
      "c1:max-wait>voicemail",
      "c2:max-wait>voicemail",
      "vip:max-wait>voicemail",
    ]);
    expect(await r.state.queueLength("b")).toBe(0);
    expect(await r.state.queueLength("a")).toBe(0); // c2 and vip overflowed to b, then voicemail
  });

  it("abandon: a waiting call and a ringing call both become missed-call callback tasks, dialled when an agent is free", async () => {
    const r = rig([queueConfig({ id: "g", wrapUpMs: 0 })], [agent("a1")]);
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "13800000001" });
    await r.advance(20_000);
    expect(await r.acd.abandon("c1")).toBe(true);
    expect(await r.acd.abandon("c1")).toBe(false); // idempotent
    expect(r.of("call.abandoned")).toMatchObject([{ stage: "queued", waitMs: 20_000 }]);
    await r.acd.enqueue({ callId: "c2", queueId: "g", number: "13800000002" });
    await ready(r, "a1");
    // c2 (a call) arrived after the missed task was created, so the task goes first
    expect(offeredTo(r)).toEqual([["missed:c1", "a1"]]);
    await r.acd.answered("a1", "missed:c1");
    await r.acd.hangup("a1");
    await r.advance(0);
    expect(offeredTo(r).at(-1)).toEqual(["c2", "a1"]);
    await r.acd.abandon("c2");
    expect(r.of("call.abandoned").at(-1)).toMatchObject({ stage: "offered", item: { id: "c2" } });
    expect(r.of("callback.created").map((c) => [c.task.id, c.origin])).toEqual([
      ["missed:c1", "missed"],
      ["missed:c2", "missed"],
    ]);
    // the agent was not at fault: READY again, and the task is offered to them
    await r.acd.idle();
    expect(await r.acd.agent("a1")).toMatchObject({ state: "RINGING", itemId: "missed:c2" });
    const stats = await r.acd.queueStats("g");
    expect(stats).toMatchObject({ abandonedToday: 2, answeredToday: 0 });
    await r.acd.logout("a1");
  });

  it("a caller who asks for a callback keeps their place", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1")]);
    for (const c of ["c1", "c2", "c3"]) await r.acd.enqueue({ callId: c, queueId: "g", number: "1" });
    const task = await r.acd.requestCallback("c2");
    expect(task).toMatchObject({ id: "cb:c2", kind: "callback", originCallId: "c2" });
    expect((await r.state.peek("g", 10)).map((i) => i.id)).toEqual(["c1", "cb:c2", "c3"]);
    expect(await r.acd.requestCallback("c2")).toBeUndefined();
  });

  it("transfer puts the caller into the target queue and the agent into wrap-up", async () => {
    const r = rig(
      [queueConfig({ id: "g", wrapUpMs: 5_000 }), queueConfig({ id: "tax", requiredSkills: { tax: 1 } })],
      [agent("a1"), agent("t1", { tax: 3 })],
    );
    await ready(r, "a1");
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "1" });
    await r.acd.idle();
    await r.acd.answered("a1", "c1");
    await r.acd.enqueue({ callId: "c2", queueId: "tax", number: "1" });
    expect(await r.acd.transfer("a1", "c1", "tax")).toBe(true);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "WRAP_UP" });
    expect((await r.state.peek("tax", 10)).map((i) => i.id)).toEqual(["c1", "c2"]);
    await ready(r, "t1");
    expect(offeredTo(r).at(-1)).toEqual(["c1", "t1"]);
    await r.advance(5_000);
    expect((await r.acd.agent("a1")).state).toBe("READY");
    await r.acd.logout("a1");
    await r.acd.logout("t1");
  });
});

describe("calls for one agent (one-to-one, transfer and consult to an agent)", () => {
  it("a targeted call waits for its agent while others take the calls behind it", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1"), agent("a2")]);
    await r.acd.enqueue({ callId: "for-a2", queueId: "g", number: "1", targetAgent: "a2" });
    await r.acd.enqueue({ callId: "c2", queueId: "g", number: "2" });
    await ready(r, "a1");
    expect(offeredTo(r)).toEqual([["c2", "a1"]]);
    await ready(r, "a2");
    expect(offeredTo(r).at(-1)).toEqual(["for-a2", "a2"]);
    await r.acd.logout("a1");
    await r.acd.logout("a2");
  });

  it("a consult is routed to its agent but counted as no offered call; withdrawing it frees the agent", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1"), agent("a2")]);
    await ready(r, "a2", "a1");
    await r.acd.enqueue({ callId: "k1", queueId: "g", number: "1001", targetAgent: "a1", kind: "consult" });
    await r.acd.idle();
    expect(offeredTo(r)).toEqual([["k1", "a1"]]);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "RINGING", itemId: "k1" });
    expect(await r.acd.withdraw("k1")).toBe(true);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "READY" });
    expect(await r.acd.withdraw("k1")).toBe(false);
    const stats = await r.acd.queueStats("g");
    expect(stats).toMatchObject({ answeredToday: 0, abandonedToday: 0 });
    // answered, then withdrawn (the consulting agent completed or cancelled): wrap-up
    await r.acd.enqueue({ callId: "k2", queueId: "g", number: "1001", targetAgent: "a2", kind: "consult" });
    await r.acd.idle();
    await r.acd.answered("a2", "k2");
    expect(await r.acd.withdraw("k2")).toBe(true);
    expect(await r.acd.agent("a2")).toMatchObject({ state: "WRAP_UP" });
    expect((await r.acd.queueStats("g")).answeredToday).toBe(0);
    await r.acd.logout("a1");
    await r.acd.logout("a2");
  });

  it("a blind transfer to an agent carries new attached data and rings only that agent", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1"), agent("a2"), agent("a3")]);
    await ready(r, "a1");
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "1", data: { topic: "tax" } });
    await r.acd.idle();
    await r.acd.answered("a1", "c1");
    await ready(r, "a3", "a2");
    expect(
      await r.acd.transfer("a1", "c1", "g", { targetAgent: "a2", data: { topic: "tax", note: "x" } }),
    ).toBe(true);
    await r.acd.idle();
    const offered = r.of("call.offered").at(-1);
    expect(offered).toMatchObject({ agentId: "a2", item: { id: "c1", data: { topic: "tax", note: "x" } } });
    expect(r.acd.queuesOf("a2")).toEqual(["g"]);
    // Answered again by a2, it is still one answered call for the hotline's figures.
    await r.acd.answered("a2", "c1");
    expect((await r.acd.queueStats("g")).answeredToday).toBe(1);
    for (const a of ["a1", "a2", "a3"]) await r.acd.logout(a);
  });
});

describe("agent states", () => {
  it("refuses illegal transitions with a stable code and changes nothing", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1")]);
    await expect(r.acd.setReady("a1")).rejects.toMatchObject({
      code: "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION",
    });
    await ready(r, "a1");
    await expect(r.acd.answered("a1")).rejects.toMatchObject({ code: "HOTLINE_ERR_NOT_AGENTS_CALL" });
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "1" });
    await r.acd.idle();
    await expect(r.acd.hold("a1")).rejects.toBeInstanceOf(AcdError);
    await expect(r.acd.setNotReady("a1", "break")).rejects.toMatchObject({
      code: "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION",
    });
    await expect(r.acd.login("nobody")).rejects.toMatchObject({ code: "HOTLINE_ERR_UNKNOWN_AGENT" });
    await expect(r.acd.enqueue({ callId: "x", queueId: "nope", number: "1" })).rejects.toMatchObject({
      code: "HOTLINE_ERR_UNKNOWN_QUEUE",
    });
    await expect(r.acd.enqueue({ callId: "c1", queueId: "g", number: "1" })).rejects.toMatchObject({
      code: "HOTLINE_ERR_DUPLICATE_CALL",
    });
    expect((await r.acd.agent("a1")).state).toBe("RINGING");
    await r.acd.logout("a1");
  });

  it("commands valid only from one state are refused elsewhere (second login, retrieve without hold, end wrap-up when not in it)", async () => {
    const r = rig([queueConfig({ id: "g" })], [agent("a1")]);
    await r.acd.login("a1");
    await r.acd.setNotReady("a1", "meeting");
    const code = { code: "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION" };
    await expect(r.acd.login("a1")).rejects.toMatchObject(code);
    await expect(r.acd.endWrapUp("a1")).rejects.toMatchObject(code);
    await expect(r.acd.extendWrapUp("a1", 1_000)).rejects.toMatchObject(code);
    await r.acd.setReady("a1");
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "1" });
    await r.acd.idle();
    await r.acd.answered("a1", "c1");
    await expect(r.acd.retrieve("a1")).rejects.toMatchObject({
      ...code,
      details: { from: "ON_CALL", to: "ON_CALL" },
    });
    expect(await r.acd.agent("a1")).toMatchObject({ state: "ON_CALL", itemId: "c1" });
    await r.acd.logout("a1");
  });

  it("an agent can claim a waiting callback task by hand", async () => {
    const r = rig(
      [queueConfig({ id: "g" }), queueConfig({ id: "tax", requiredSkills: { tax: 1 } })],
      [agent("a1")],
    );
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "13800000001" });
    await r.acd.enqueue({ callId: "t1", queueId: "tax", number: "13800000002" });
    await r.acd.abandon("c1");
    await r.acd.login("a1");
    await expect(r.acd.claim("a1", "t1")).rejects.toMatchObject({ code: "HOTLINE_ERR_NOT_AGENTS_CALL" });
    await expect(r.acd.claim("a1", "nope")).rejects.toMatchObject({ code: "HOTLINE_ERR_UNKNOWN_CALL" });
    await r.acd.setNotReady("a1", "callbacks");
    await r.acd.enqueue({ callId: "c2", queueId: "g", number: "1" });
    expect((await r.state.peek("g", 10)).map((i) => i.id)).toEqual(["missed:c1", "c2"]);
    // out of order: the agent picks c2 although the task is ahead
    expect(await r.acd.claim("a1", "c2")).toBe(true);
    expect(await r.acd.agent("a1")).toMatchObject({ state: "RINGING", itemId: "c2" });
    await expect(r.acd.claim("a1", "missed:c1")).rejects.toMatchObject({
      code: "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION",
    });
    await r.acd.answered("a1", "c2");
    await r.acd.hangup("a1", "c2");
    await r.acd.setNotReady("a1", "callbacks");
    expect(await r.acd.claim("a1", "missed:c1")).toBe(true);
    expect(r.of("call.offered").map((o) => o.item.id)).toEqual(["c2", "missed:c1"]);
    expect(r.of("call.reserved").map((o) => o.via)).toEqual(["claim", "claim"]);
    await r.acd.logout("a1");
    expect((await r.state.peek("g", 10)).map((i) => i.id)).toEqual(["missed:c1"]);
  });

  it("wrap-up ends by its timer, can be extended or ended; time per state and reason adds up", async () => {
    const r = rig([queueConfig({ id: "g", wrapUpMs: 10_000 })], [agent("a1")]);
    const t0 = r.clock.now();
    await r.acd.login("a1");
    await r.advance(5_000);
    await r.acd.setReady("a1");
    await r.acd.enqueue({ callId: "c1", queueId: "g", number: "1" });
    await r.advance(3_000);
    await r.acd.answered("a1", "c1");
    await r.advance(60_000);
    await r.acd.hold("a1");
    await r.advance(20_000);
    await r.acd.retrieve("a1");
    await r.advance(10_000);
    await r.acd.hangup("a1", "c1");
    await r.advance(9_000);
    await r.acd.extendWrapUp("a1", 30_000);
    await r.advance(29_999);
    expect((await r.acd.agent("a1")).state).toBe("WRAP_UP");
    await r.advance(1);
    expect((await r.acd.agent("a1")).state).toBe("READY");
    await r.acd.setNotReady("a1", "meal");
    await r.advance(1_800_000);
    await r.acd.setNotReady("a1", "training");
    await r.advance(600_000);
    const s = r.acd.agentStats("a1");
    expect(s.firstLoginAt).toBe(t0);
    expect(s.callsHandled).toBe(1);
    expect(s.byState).toMatchObject({ RINGING: 3_000, ON_CALL: 70_000, HOLD: 20_000, WRAP_UP: 39_000 });
    expect(s.notReadyByReason).toEqual({ login: 5_000, meal: 1_800_000, training: 600_000 });
    const total = Object.values(s.byState).reduce((a, b) => a + b, 0);
    expect(total).toBe(r.clock.now() - t0);
    await r.acd.logout("a1");
  });
});

describe("configuration", () => {
  it.each([
    ["skill level 11", [queueConfig({ id: "q" })], [agent("a", { x: 11 })]],
    ["skill level 0", [queueConfig({ id: "q" })], [agent("a", { x: 0 })]],
    ["minimum level 0", [queueConfig({ id: "q", requiredSkills: { x: 0 } })], []],
    ["negative max wait", [queueConfig({ id: "q", maxWaitMs: -1 })], []],
    ["zero ring timeout", [queueConfig({ id: "q", ringTimeoutMs: 0 })], []],
    ["duplicate queue", [queueConfig({ id: "q" }), queueConfig({ id: "q" })], []],
    ["duplicate agent", [queueConfig({ id: "q" })], [agent("a"), agent("a")]],
    ["overflow to nowhere", [queueConfig({ id: "q", overflow: { kind: "queue", queueId: "z" } })], []],
  ] as const)("refuses %s with HOTLINE_ERR_INVALID_ACD_CONFIG", (_why, queues, agents) => {
    expect(() => validateConfig(queues, agents)).toThrow(
      expect.objectContaining({ code: "HOTLINE_ERR_INVALID_ACD_CONFIG" }),
    );
    expect(() => new Acd({ state: new MemoryLiveState(), clock: new FakeClock(), queues, agents })).toThrow(
      AcdError,
    );
  });
  it("accepts levels 1 and 10", () => {
    expect(() =>
      validateConfig(
        [queueConfig({ id: "q", requiredSkills: { x: 10 } })],
        [agent("a", { x: 1 }), agent("b", { x: 10 })],
      ),
    ).not.toThrow();
  });
});

describe("position, estimated wait and statistics", () => {
  it("service level today: answered within 15 s over answered plus abandoned; agents per state", async () => {
    const r = rig([queueConfig({ id: "g", wrapUpMs: 0 })], [agent("a1")]);
    await r.acd.login("a1");
    await r.acd.enqueue({ callId: "fast", queueId: "g", number: "1" });
    await r.acd.enqueue({ callId: "slow", queueId: "g", number: "1" });
    await r.acd.enqueue({ callId: "gone", queueId: "g", number: "1" });
    await r.advance(10_000);
    await r.acd.setReady("a1");
    await r.acd.idle();
    await r.acd.answered("a1", "fast"); // waited 10 s: within 15 s
    await r.acd.hangup("a1", "fast");
    await r.advance(15_000);
    await r.acd.answered("a1", "slow"); // waited 25 s
    expect(r.of("call.answered").map((a) => [a.item.id, a.waitMs, a.withinServiceLevel])).toEqual([
      ["fast", 10_000, true],
      ["slow", 25_000, false],
    ]);
    await r.acd.abandon("gone");
    const st = await r.acd.queueStats("g");
    expect(st).toMatchObject({ answeredToday: 2, abandonedToday: 1, waiting: 1 }); // the missed-call task waits
    expect(st.serviceLevelToday).toBeCloseTo(1 / 3, 10);
    expect(st.agents).toMatchObject({ ON_CALL: 1, READY: 0 });
    await r.acd.logout("a1");
  });

  it("announces position and estimated wait periodically, from handle times and staffed agents", async () => {
    const r = rig(
      [queueConfig({ id: "g", announceIntervalMs: 30_000, wrapUpMs: 0 })],
      [agent("a1"), agent("a2")],
    );
    await ready(r, "a1", "a2");
    // a 120 s call teaches the model the handle time
    await r.acd.enqueue({ callId: "h", queueId: "g", number: "1" });
    await r.acd.idle();
    await r.acd.answered("a1", "h");
    await r.advance(120_000);
    await r.acd.hangup("a1", "h");
    await r.advance(0);
    await r.acd.setNotReady("a1", "break");
    await r.acd.setNotReady("a2", "break");
    await r.acd.setReady("a2");
    await r.acd.enqueue({ callId: "busy", queueId: "g", number: "1" });
    await r.acd.idle();
    await r.acd.answered("a2", "busy");
    await r.acd.setReady("a1");
    await r.acd.enqueue({ callId: "busy2", queueId: "g", number: "1" });
    await r.acd.idle();
    await r.acd.answered("a1", "busy2");
    for (const c of ["w1", "w2", "w3"]) await r.acd.enqueue({ callId: c, queueId: "g", number: "1" });
    // 2 staffed agents, AHT 120 s: position k waits about (k − 1)·60 s + 30 s
    expect(await r.acd.position("w1")).toEqual({ queueId: "g", position: 1, estimatedWaitMs: 30_000 });
    expect(await r.acd.position("w3")).toEqual({ queueId: "g", position: 3, estimatedWaitMs: 150_000 });
    await r.advance(30_000);
    const pos = r.of("call.position");
    expect(pos.map((p) => [p.item.id, p.position])).toEqual([
      ["w1", 1],
      ["w2", 2],
      ["w3", 3],
    ]);
    const st = await r.acd.queueStats("g");
    expect(st).toMatchObject({ waiting: 3, longestWaitMs: 30_000, answeredToday: 3, ahtMs: 120_000 });
    expect(st.agents).toMatchObject({ ON_CALL: 2 });
    expect(st.serviceLevelToday).toBe(1);
    await r.acd.logout("a1");
    await r.acd.logout("a2");
  });
});

describe("reconfigure", () => {
  it("routes to an agent added by an admin without a restart, and keeps calls of a queue left out", async () => {
    const { MemoryLiveState } = await import("./memory-live-state.js");
    const { FakeClock } = await import("./clock.js");
    const { queueConfig } = await import("./types.js");
    const clock = new FakeClock(Date.parse("2026-03-02T02:00:00Z"));
    const acd = new Acd({
      state: new MemoryLiveState(),
      clock,
      queues: [queueConfig({ id: "general", requiredSkills: { mandarin: 1 } })],
      agents: [],
    });
    await acd.enqueue({ callId: "c1", queueId: "general", number: "13800000000" });
    await expect(acd.login("1009")).rejects.toMatchObject({ code: "HOTLINE_ERR_UNKNOWN_AGENT" });
    await acd.reconfigure([], [{ id: "1009", skills: { mandarin: 5 }, languages: ["zh"] }]);
    await acd.login("1009");
    await acd.setReady("1009");
    await acd.idle();
    expect((await acd.agent("1009")).itemId).toBe("c1");
    await acd.close();
  });
});
