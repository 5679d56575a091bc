import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";
import { chinaDayStart } from "./routes/history.js";

interface Entry {
  callId: string;
  caller: string;
  queueId: string | null;
  agentId: string | null;
  talkSeconds: number | null;
  durationSeconds: number | null;
  rating: number | null;
  outcome: string | null;
}

describe.each(storeKinds)("call history and own statistics on $name", (kind) => {
  let t: TestApp;
  let agent: string;
  let supervisor: string;
  /** Three hours into today (China time): every row below is "today" whenever the test runs. */
  let base: number;

  beforeEach(async () => {
    t = await openTestApp(kind);
    agent = await t.login("1001");
    supervisor = await t.login("2001");
    base = chinaDayStart(Date.now()) + 3 * 3_600_000;
    await seed();
  });
  afterEach(async () => {
    await t.dispose();
  });

  const get = (token: string, url: string) =>
    t.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });

  async function call(c: {
    id: string;
    caller: string;
    queue: string;
    agent: string | null;
    at: number;
    talk?: number;
    rating?: number;
    outcome: string;
  }) {
    const db = t.store.db;
    const answered = c.agent ? c.at + 10_000 : null;
    await db
      .insertInto("calls")
      .values({
        id: c.id,
        direction: "inbound",
        caller: c.caller,
        dialled: "12345",
        origin: "local",
        media: "audio",
        queue_id: c.queue,
        agent_id: c.agent,
        started_at: new Date(c.at),
        answered_at: answered ? new Date(answered) : null,
        ended_at: new Date(c.at + 10_000 + (c.talk ?? 0) * 1000 + 20_000),
        outcome: c.outcome,
        end_cause: "hangup",
      })
      .execute();
    const events: Array<{ kind: string; at: number; agent: string | null }> = [
      { kind: "offered", at: c.at, agent: null },
    ];
    if (c.agent && answered) {
      events.push({ kind: "answered", at: answered, agent: c.agent });
      events.push({ kind: "completed", at: answered + (c.talk ?? 0) * 1000, agent: c.agent });
    }
    await db
      .insertInto("call_events")
      .values(
        events.map((e) => ({
          call_id: c.id,
          at: new Date(e.at),
          kind: e.kind,
          agent_id: e.agent,
          data: "{}",
        })),
      )
      .execute();
    if (c.rating)
      await db
        .insertInto("surveys")
        .values({ call_id: c.id, agent_id: c.agent, rating: c.rating, at: new Date(c.at + 60_000) })
        .execute();
  }

  async function seed() {
    await call({
      id: "c1",
      caller: "13811112222",
      queue: "general",
      agent: "1001",
      at: base,
      talk: 120,
      rating: 1,
      outcome: "completed",
    });
    await call({
      id: "c2",
      caller: "13833334444",
      queue: "general",
      agent: "1002",
      at: base + 600_000,
      talk: 60,
      rating: 4,
      outcome: "completed",
    });
    await call({
      id: "c3",
      caller: "13811112222",
      queue: "english",
      agent: null,
      at: base + 1_200_000,
      outcome: "abandoned",
    });
    await call({
      id: "c4",
      caller: "13811112222",
      queue: "general",
      agent: "1001",
      at: base + 1_800_000,
      talk: 30,
      outcome: "completed",
    });
    // Yesterday: in the record, not in today's figures.
    await call({
      id: "c0",
      caller: "13899990000",
      queue: "general",
      agent: "1001",
      at: base - 27 * 3_600_000,
      talk: 500,
      rating: 5,
      outcome: "completed",
    });
  }

  it("lets a supervisor search by agent, queue, caller and time, newest first and paged, numbers whole", async () => {
    const all = (await get(supervisor, "/api/calls/history")).json() as { total: number; items: Entry[] };
    expect(all.total).toBe(5);
    expect(all.items.map((e) => e.callId)).toEqual(["c4", "c3", "c2", "c1", "c0"]);
    expect(all.items[3]).toMatchObject({
      callId: "c1",
      caller: "13811112222",
      queueId: "general",
      agentId: "1001",
      talkSeconds: 120,
      durationSeconds: 150,
      rating: 1,
      outcome: "completed",
    });

    const byAgent = (await get(supervisor, "/api/calls/history?agent=1001")).json() as { items: Entry[] };
    expect(byAgent.items.map((e) => e.callId)).toEqual(["c4", "c1", "c0"]);
    const byQueue = (await get(supervisor, "/api/calls/history?queue=english")).json() as { items: Entry[] };
    expect(byQueue.items.map((e) => e.callId)).toEqual(["c3"]);
    const byCaller = (await get(supervisor, "/api/calls/history?caller=13811112222")).json() as {
      items: Entry[];
    };
    expect(byCaller.items.map((e) => e.callId)).toEqual(["c4", "c3", "c1"]);
    const from = encodeURIComponent(new Date(base + 1).toISOString());
    const to = encodeURIComponent(new Date(base + 1_800_000).toISOString());
    const window = (await get(supervisor, `/api/calls/history?from=${from}&to=${to}`)).json() as {
      items: Entry[];
    };
    expect(window.items.map((e) => e.callId)).toEqual(["c3", "c2"]);

    const p1 = (await get(supervisor, "/api/calls/history?limit=2")).json() as {
      total: number;
      items: Entry[];
    };
    const p2 = (await get(supervisor, "/api/calls/history?limit=2&offset=2")).json() as { items: Entry[] };
    expect(p1.total).toBe(5);
    expect([...p1.items, ...p2.items].map((e) => e.callId)).toEqual(["c4", "c3", "c2", "c1"]);

    expect((await get(supervisor, `/api/calls/history?from=${to}&to=${from}`)).statusCode).toBe(400);
    expect((await get(supervisor, "/api/calls/history?limit=5000")).statusCode).toBe(400);
  });

  it("keeps the whole record from agents", async () => {
    const res = await get(agent, "/api/calls/history");
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("HOTLINE_ERR_FORBIDDEN");
  });

  it("gives an agent their own calls, numbers masked", async () => {
    const mine = (await get(agent, "/api/agents/me/calls")).json() as Entry[];
    expect(mine.map((e) => e.callId)).toEqual(["c4", "c1", "c0"]);
    expect(mine[1]).toMatchObject({ caller: "138****2222", talkSeconds: 120, rating: 1 });
    expect(((await get(agent, "/api/agents/me/calls?limit=1")).json() as Entry[]).length).toBe(1);
  });

  it("finds earlier calls from the same caller: agents by their call, staff by number", async () => {
    const prev = (await get(agent, "/api/calls/previous?callId=c4")).json() as Entry[];
    expect(prev.map((e) => [e.callId, e.caller, e.outcome])).toEqual([
      ["c3", "138****2222", "abandoned"],
      ["c1", "138****2222", "completed"],
    ]);
    const notMine = await get(agent, "/api/calls/previous?callId=c2");
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json().code).toBe("HOTLINE_ERR_NOT_YOUR_CALL");
    const byNumber = await get(agent, "/api/calls/previous?number=13811112222");
    expect(byNumber.statusCode).toBe(403);
    expect((await get(agent, "/api/calls/previous?callId=nope")).statusCode).toBe(404);
    expect((await get(agent, "/api/calls/previous")).statusCode).toBe(400);

    const staff = (await get(supervisor, "/api/calls/previous?number=13811112222&limit=2")).json() as Entry[];
    expect(staff.map((e) => [e.callId, e.caller])).toEqual([
      ["c4", "13811112222"],
      ["c3", "13811112222"],
    ]);
  });

  it("counts an agent's day from the state history, the answers and the surveys", async () => {
    const steps: Array<[string, string, number]> = [
      ["LOGGED_OUT", "NOT_READY", 0],
      ["NOT_READY", "READY", 600_000],
      ["READY", "RESERVED", 60_000],
      ["RESERVED", "RINGING", 1_000],
      ["RINGING", "ON_CALL", 4_000],
      ["ON_CALL", "HOLD", 20_000],
      ["HOLD", "ON_CALL", 10_000],
      ["ON_CALL", "WRAP_UP", 90_000],
      ["WRAP_UP", "READY", 30_000],
      ["READY", "RESERVED", 5_000],
      ["RESERVED", "RINGING", 1_000],
      ["RINGING", "ON_CALL", 4_000],
      ["ON_CALL", "WRAP_UP", 30_000],
      ["WRAP_UP", "LOGGED_OUT", 10_000],
    ];
    let at = base;
    await t.store.db
      .insertInto("agent_state_history")
      .values([
        // Yesterday's day does not count.
        {
          agent_id: "1001",
          from_state: "NOT_READY",
          to_state: "LOGGED_OUT",
          reason: "logout",
          call_id: null,
          at: new Date(base - 24 * 3_600_000),
          from_ms: 9_000_000,
        },
        ...steps.map(([from, to, ms]) => {
          at += ms;
          return {
            agent_id: "1001",
            from_state: from,
            to_state: to,
            reason: null,
            call_id: null,
            at: new Date(at),
            from_ms: ms,
          };
        }),
      ])
      .execute();
    const res = await get(agent, "/api/agents/me/stats");
    expect(res.statusCode).toBe(200);
    const loggedIn = 600 + 60 + 1 + 4 + 20 + 10 + 90 + 30 + 5 + 1 + 4 + 30 + 10;
    const busy = 1 + 4 + 20 + 10 + 90 + 30 + 1 + 4 + 30 + 10;
    expect(res.json()).toEqual({
      since: new Date(chinaDayStart(Date.now())).toISOString(),
      answered: 2,
      averageTalkSeconds: (20 + 10 + 90 + 30) / 2,
      averageWrapUpSeconds: (30 + 10) / 2,
      notReadySeconds: 600,
      loggedInSeconds: loggedIn,
      utilisation: busy / loggedIn,
      satisfaction: { ratings: 1, satisfiedRate: 1, averageRating: 1 },
    });
    // Someone else's day is their own.
    const other = (await get(await t.login("1002"), "/api/agents/me/stats")).json();
    expect(other).toMatchObject({
      answered: 1,
      averageTalkSeconds: null,
      satisfaction: { ratings: 1, satisfiedRate: 0, averageRating: 4 },
    });
  });
});
