import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { historyOf } from "../../test/history.js";
import { storeKinds } from "../../test/stores.js";

describe.each(storeKinds)("agent state API on $name", (kind) => {
  let t: TestApp;
  let agent: string;
  let supervisor: string;
  beforeEach(async () => {
    t = await openTestApp(kind);
    agent = await t.login("1001");
    supervisor = await t.login("2001");
  });
  afterEach(async () => {
    await t.dispose();
  });
  const as = (token: string, method: "GET" | "POST", url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  it("logs an agent in ready, writes each transition as a history row, and shows it to the supervisor", async () => {
    expect((await as(agent, "GET", "/api/agents/me")).json()).toMatchObject({
      agentId: "1001",
      state: "LOGGED_OUT",
    });
    const ready = await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      agentId: "1001",
      displayName: "张伟",
      state: "READY",
      queues: ["general"],
    });
    const board = (await as(supervisor, "GET", "/api/agents")).json() as Array<{
      agentId: string;
      state: string;
    }>;
    expect(board.find((a) => a.agentId === "1001")?.state).toBe("READY");
    expect(board.find((a) => a.agentId === "1002")?.state).toBe("LOGGED_OUT");
    expect(await historyOf(t, "1001")).toEqual([
      { from_state: "LOGGED_OUT", to_state: "NOT_READY", reason: "login" },
      { from_state: "NOT_READY", to_state: "READY", reason: null },
    ]);
  });

  it("takes only reasons an agent may choose for not ready", async () => {
    await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    for (const reason of [undefined, "no-answer", "nap"]) {
      const res = await as(agent, "POST", "/api/agents/me/state", {
        state: "NOT_READY",
        ...(reason ? { reason } : {}),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("HOTLINE_ERR_VALIDATION");
    }
    expect((await as(agent, "GET", "/api/agents/me")).json().state).toBe("READY");
    const meal = await as(agent, "POST", "/api/agents/me/state", { state: "NOT_READY", reason: "meal" });
    expect(meal.json()).toMatchObject({ state: "NOT_READY", reason: "meal" });
    const reasons = (await as(agent, "GET", "/api/not-ready-reasons")).json() as Array<{
      code: string;
      system: boolean;
    }>;
    expect(reasons.filter((r) => !r.system).map((r) => r.code)).toEqual([
      "break",
      "meal",
      "training",
      "meeting",
      "paperwork",
    ]);
  });

  it("refuses an illegal transition with the ACD's stable code and changes nothing", async () => {
    await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    const res = await as(agent, "POST", "/api/agents/me/wrap-up", { action: "end" });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION");
    expect((await as(agent, "GET", "/api/agents/me")).json().state).toBe("READY");
  });

  it("offers a queued call to the ready agent and counts it on the wallboard", async () => {
    await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    const result = await t.runtime.acd.enqueue({ callId: "c-1", queueId: "general", number: "13812345678" });
    expect(result.status).toBe("queued");
    await t.runtime.acd.idle();
    const me = (await as(agent, "GET", "/api/agents/me")).json();
    expect(["RESERVED", "RINGING"]).toContain(me.state);
    expect(me.callId).toBe("c-1");
    const board = (await as(supervisor, "GET", "/api/wallboard")).json();
    expect(board).toMatchObject({ offeredToday: 0, waiting: 0, agentsByState: expect.any(Object) });
    expect(board.hourly.reduce((n: number, h: { offered: number }) => n + h.offered, 0)).toBe(1);
    await t.runtime.acd.answered("1001", "c-1");
    const after = (await as(supervisor, "GET", "/api/wallboard")).json();
    expect(after).toMatchObject({
      answeredToday: 1,
      offeredToday: 1,
      answerRate: 1,
      answeredWithinThresholdRate: 1,
    });
    expect(after.queues.find((q: { queueId: string }) => q.queueId === "general")).toMatchObject({
      answered: 1,
      serviceLevel: 1,
    });
  });

  it("lets a supervisor force an agent not ready, audited, and refuses an agent doing it", async () => {
    await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    const other = await t.login("1002");
    expect((await as(other, "POST", "/api/agents/1001/state", { state: "NOT_READY" })).statusCode).toBe(403);
    const forced = await as(supervisor, "POST", "/api/agents/1001/state", { state: "NOT_READY" });
    expect(forced.json()).toMatchObject({ state: "NOT_READY", reason: "supervisor" });
    const admin = await t.login("9001");
    const [audit] = (await as(admin, "GET", "/api/audit?entity=agent&entityId=1001")).json();
    expect(audit).toMatchObject({
      actor: "2001",
      action: "force-not_ready",
      before: { state: "READY" },
      after: { state: "NOT_READY" },
    });
  });

  it("routes to an agent an admin creates, without a restart", async () => {
    const admin = await t.login("9001");
    const created = await as(admin, "POST", "/api/users", {
      id: "1010",
      displayName: "新坐席",
      role: "agent",
      password: "a-new-password",
      skills: [{ skillId: "mandarin", level: 5 }],
    });
    expect(created.statusCode).toBe(201);
    const token = await t.login("1010", "a-new-password");
    const ready = await as(token, "POST", "/api/agents/me/state", { state: "READY" });
    expect(ready.json()).toMatchObject({ agentId: "1010", state: "READY", displayName: "新坐席" });
    await t.runtime.acd.enqueue({ callId: "c-new", queueId: "general", number: "13812345678" });
    await t.runtime.acd.idle();
    expect((await as(token, "GET", "/api/agents/me")).json().callId).toBe("c-new");
  });

  it("keeps a missed call as a callback task an agent takes by hand, masked for agents, once", async () => {
    await t.runtime.acd.enqueue({ callId: "c-missed", queueId: "general", number: "13812345678" });
    expect(await t.runtime.acd.abandon("c-missed")).toBe(true);
    await as(agent, "POST", "/api/agents/me/state", { state: "READY" });
    await t.runtime.acd.idle();
    // Not offered like a call: nobody could ring the caller back yet.
    expect((await as(agent, "GET", "/api/agents/me")).json()).not.toHaveProperty("callId");
    const [task] = (await as(agent, "GET", "/api/callbacks")).json();
    expect(task).toMatchObject({
      kind: "missed-callback",
      queueId: "general",
      caller: "138****5678",
      originCallId: "c-missed",
    });
    expect((await as(supervisor, "GET", "/api/callbacks")).json()[0].caller).toBe("13812345678");
    const claimed = await as(agent, "POST", `/api/callbacks/${encodeURIComponent(task.id)}/claim`);
    expect(claimed.json()).toMatchObject({ state: "ON_CALL", callId: task.id });
    const other = await t.login("1002");
    expect(
      (await as(other, "POST", `/api/callbacks/${encodeURIComponent(task.id)}/claim`)).statusCode,
    ).toBeGreaterThanOrEqual(400);
    expect((await as(agent, "GET", "/api/callbacks")).json()).toEqual([]);
    const done = await as(agent, "POST", `/api/callbacks/${encodeURIComponent(task.id)}/complete`);
    expect(done.json()).toMatchObject({ state: "WRAP_UP" });
    expect(done.json().wrapUpEndsAt).toEqual(expect.any(String));
  });
});
