import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LiveState } from "./live-state.js";
import { MemoryLiveState } from "./memory-live-state.js";
import { RedisLiveState } from "./redis-live-state.js";
import type { AgentLive, QueueItem } from "./types.js";

/** Two handles on one shared state: two "server nodes". */
interface Fixture {
  a: LiveState;
  b: LiveState;
  done(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redisConns: Redis[] = [];

const backends: [string, () => Promise<Fixture>][] = [
  [
    "memory",
    async () => {
      const s = new MemoryLiveState();
      return { a: s, b: s, done: () => s.close() };
    },
  ],
  [
    "redis",
    async () => {
      const prefix = `test:acd:${randomUUID()}:`;
      const ra = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const rb = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      redisConns.push(ra, rb);
      const a = new RedisLiveState(ra, prefix);
      const b = new RedisLiveState(rb, prefix);
      return {
        a,
        b,
        async done() {
          await a.destroy();
          expect(await ra.keys(`${prefix}*`)).toEqual([]);
          await a.close();
          await b.close();
          ra.disconnect();
          rb.disconnect();
        },
      };
    },
  ],
];

afterAll(() => {
  for (const r of redisConns) r.disconnect();
});

const item = (id: string, seq: number, priority = 0, queueId = "q1"): QueueItem => ({
  id,
  kind: "call",
  queueId,
  number: `1380000${String(seq).padStart(4, "0")}`,
  priority,
  seq,
  arrivedAt: seq * 1000,
  queuedAt: seq * 1000,
});

const agent = (agentId: string, state: AgentLive["state"], version: number, idleSince = 0): AgentLive => ({
  agentId,
  state,
  since: 0,
  idleSince,
  version,
});

describe.each(backends)("LiveState contract: %s", (_name, make) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await make();
  });
  afterEach(async () => {
    await f.done();
  });

  it("orders a queue by priority, then arrival, and reports positions", async () => {
    for (const [id, seq, pr] of [
      ["c1", 1, 0],
      ["c2", 2, 5],
      ["c3", 3, 0],
      ["c4", 4, 5],
      ["c5", 5, 9],
    ] as const) {
      expect(await f.a.enqueue(item(id, seq, pr))).toBe(true);
    }
    expect((await f.b.peek("q1", 10)).map((i) => i.id)).toEqual(["c5", "c2", "c4", "c1", "c3"]);
    expect(await f.b.position("c1")).toEqual({ queueId: "q1", position: 4 });
    expect(await f.b.position("nope")).toBeUndefined();
    expect(await f.b.queueLength("q1")).toBe(5);
    expect(await f.a.enqueue(item("c1", 6))).toBe(false); // duplicate id refused
    expect(await f.b.queueLength("q1")).toBe(5);
    const many = await f.b.peekMany(["q1", "empty"], 2);
    expect(many.get("q1")?.map((i) => i.id)).toEqual(["c5", "c2"]);
    expect(many.get("empty")).toEqual([]);
  });

  it("snapshot reads READY agents and every queue head at once", async () => {
    for (let i = 1; i <= 5; i++) await f.a.enqueue(item(`c${i}`, i, i === 4 ? 3 : 0));
    await f.a.enqueue(item("t1", 6, 0, "q2"));
    await f.a.putAgent(-1, agent("a1", "READY", 0, 20));
    await f.a.putAgent(-1, agent("a2", "READY", 0, 10));
    const snap = await f.b.snapshot(["q1", "q2", "q3"], 3);
    expect(snap.ready).toEqual([
      { agentId: "a2", idleSince: 10 },
      { agentId: "a1", idleSince: 20 },
    ]);
    expect(snap.heads.get("q1")?.map((i) => i.id)).toEqual(["c4", "c1", "c2"]);
    expect(snap.heads.get("q2")?.map((i) => i.id)).toEqual(["t1"]);
    expect(snap.heads.get("q3")).toEqual([]);
  });

  it("arrival numbers increase across nodes", async () => {
    const s1 = await f.a.nextSeq();
    const s2 = await f.b.nextSeq();
    const s3 = await f.a.nextSeq();
    expect(s1 < s2 && s2 < s3).toBe(true);
  });

  it("agent updates are compare-and-set; READY agents listed longest idle first", async () => {
    expect(await f.a.putAgent(-1, agent("a1", "NOT_READY", 0))).toBe(true);
    expect(await f.b.putAgent(-1, agent("a1", "NOT_READY", 0))).toBe(false); // already exists
    expect(await f.a.putAgent(0, agent("a1", "READY", 1, 300))).toBe(true);
    expect(await f.b.putAgent(0, agent("a1", "NOT_READY", 1))).toBe(false); // stale version
    await f.a.putAgent(-1, agent("a2", "READY", 0, 100));
    await f.a.putAgent(-1, agent("a3", "READY", 0, 200));
    await f.a.putAgent(-1, agent("a4", "NOT_READY", 0));
    expect((await f.b.readyAgents()).map((r) => r.agentId)).toEqual(["a2", "a3", "a1"]);
    expect(await f.b.getAgent("a1")).toEqual(agent("a1", "READY", 1, 300));
    expect((await f.b.listAgents()).length).toBe(4);
    await f.a.putAgent(0, agent("a2", "NOT_READY", 1));
    expect((await f.b.readyAgents()).map((r) => r.agentId)).toEqual(["a3", "a1"]);
  });

  it("transitionAgent changes state in one step, only from the allowed states", async () => {
    expect(
      await f.a.transitionAgent("ghost", ["NOT_READY"], {
        state: "READY",
        keepItem: false,
        since: 1,
        setIdle: true,
      }),
    ).toEqual({
      ok: false,
      cur: undefined,
    });
    await f.a.putAgent(-1, { ...agent("a1", "NOT_READY", 0), reason: "login" });
    const ready = await f.b.transitionAgent("a1", ["NOT_READY", "WRAP_UP"], {
      state: "READY",
      keepItem: false,
      since: 50,
      setIdle: true,
    });
    expect(ready).toEqual({
      ok: true,
      prev: { ...agent("a1", "NOT_READY", 0), reason: "login" },
      next: { agentId: "a1", state: "READY", since: 50, idleSince: 50, version: 1 },
    });
    expect(await f.a.readyAgents()).toEqual([{ agentId: "a1", idleSince: 50 }]);
    // refused from a state not listed: nothing changes
    const refused = await f.a.transitionAgent("a1", ["WRAP_UP"], {
      state: "READY",
      keepItem: false,
      since: 60,
      setIdle: true,
    });
    expect(refused).toEqual({
      ok: false,
      cur: { agentId: "a1", state: "READY", since: 50, idleSince: 50, version: 1 },
    });
    // holding an item: only moves that keep it, and only for the expected item
    await f.a.enqueue(item("c1", 1));
    await f.a.reserve("c1", "a1", 70);
    const toRinging = { state: "RINGING", keepItem: true, since: 71, setIdle: false } as const;
    expect((await f.a.transitionAgent("a1", ["RESERVED"], toRinging, "other")).ok).toBe(false);
    const ringing = await f.b.transitionAgent("a1", ["RESERVED"], toRinging, "c1");
    expect(ringing.ok && ringing.next).toEqual({
      agentId: "a1",
      state: "RINGING",
      itemId: "c1",
      since: 71,
      idleSince: 50,
      version: 3,
    });
    const drop = await f.a.transitionAgent("a1", ["RINGING"], {
      state: "NOT_READY",
      reason: "x",
      keepItem: false,
      since: 80,
      setIdle: false,
    });
    expect(drop.ok).toBe(false); // leaving a call state must go through release()
    expect(await f.a.holder("c1")).toBe("a1");
  });

  it("reserve moves an item from its queue to a READY agent in one step", async () => {
    await f.a.enqueue(item("c1", 1));
    await f.a.putAgent(-1, agent("a1", "READY", 0, 5));
    const r = await f.b.reserve("c1", "a1", 42);
    expect(r?.prev).toEqual(agent("a1", "READY", 0, 5));
    expect(r?.next).toEqual({
      agentId: "a1",
      state: "RESERVED",
      itemId: "c1",
      since: 42,
      idleSince: 5,
      version: 1,
    });
    expect(await f.a.getAgent("a1")).toEqual(r?.next);
    expect(await f.a.queueLength("q1")).toBe(0);
    expect(await f.a.position("c1")).toBeUndefined();
    expect(await f.a.holder("c1")).toBe("a1");
    expect((await f.a.getItem("c1"))?.id).toBe("c1");
    expect(await f.a.readyAgents()).toEqual([]);
    // refused: item no longer queued, agent no longer READY
    await f.a.putAgent(-1, agent("a2", "READY", 0));
    expect(await f.a.reserve("c1", "a2", 43)).toBeUndefined();
    await f.a.enqueue(item("c2", 2));
    expect(await f.a.reserve("c2", "a1", 43)).toBeUndefined();
    await f.a.putAgent(-1, agent("a3", "NOT_READY", 0));
    expect(await f.a.reserve("c2", "a3", 43)).toBeUndefined();
    expect(await f.a.queueLength("q1")).toBe(1);
  });

  it("racing nodes never give one call to two agents nor two calls to one agent", async () => {
    const calls = 20;
    const agents = 20;
    for (let i = 0; i < calls; i++) await f.a.enqueue(item(`c${i}`, i + 1));
    for (let i = 0; i < agents; i++) await f.a.putAgent(-1, agent(`a${i}`, "READY", 0, i));
    // every (call, agent) pair tried, from both nodes, all at once
    const attempts: Promise<{ c: string; a: string; ok: boolean }>[] = [];
    for (let c = 0; c < calls; c++)
      for (let a = 0; a < agents; a++) {
        const node = (c + a) % 2 === 0 ? f.a : f.b;
        attempts.push(node.reserve(`c${c}`, `a${a}`, 1).then((r) => ({ c: `c${c}`, a: `a${a}`, ok: !!r })));
      }
    const wins = (await Promise.all(attempts)).filter((x) => x.ok);
    expect(new Set(wins.map((w) => w.c)).size).toBe(wins.length);
    expect(new Set(wins.map((w) => w.a)).size).toBe(wins.length);
    expect(wins.length).toBe(20);
    for (const w of wins) expect((await f.a.getAgent(w.a))?.itemId).toBe(w.c);
    expect(await f.a.queueLength("q1")).toBe(0);
  });

  it("release puts a requeued item back at its original place, or deletes it", async () => {
    for (let i = 1; i <= 3; i++) await f.a.enqueue(item(`c${i}`, i));
    await f.a.putAgent(-1, agent("a1", "READY", 0));
    const r = (await f.a.reserve("c1", "a1", 10))?.next;
    await f.a.enqueue(item("c4", 4));
    expect(r).toBeDefined();
    // a stale version loses and changes nothing
    expect(
      await f.b.release(0, { ...r!, state: "NOT_READY", itemId: undefined, version: 2 }, "c1", item("c1", 1)),
    ).toBe(false);
    expect(await f.a.holder("c1")).toBe("a1");
    const next: AgentLive = {
      agentId: "a1",
      state: "NOT_READY",
      reason: "no-answer",
      since: 20,
      idleSince: 0,
      version: 2,
    };
    expect(await f.b.release(r!.version, next, "c1", item("c1", 1))).toBe(true);
    expect((await f.a.peek("q1", 10)).map((i) => i.id)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(await f.a.getAgent("a1")).toEqual(next);
    expect(await f.a.holder("c1")).toBeUndefined();
    // second reservation, then finished: item deleted, agent READY again
    await f.a.putAgent(2, { ...next, state: "READY", reason: undefined, version: 3 });
    const r2 = (await f.a.reserve("c1", "a1", 30))?.next;
    const done: AgentLive = {
      agentId: "a1",
      state: "READY",
      since: 40,
      idleSince: 40,
      version: r2!.version + 1,
    };
    expect(await f.a.release(r2!.version, done, "c1")).toBe(true);
    expect(await f.a.getItem("c1")).toBeUndefined();
    expect((await f.a.readyAgents()).map((x) => x.agentId)).toEqual(["a1"]);
    // releasing an item the agent does not hold is refused
    expect(await f.a.release(done.version, { ...done, version: done.version + 1 }, "c2")).toBe(false);
  });

  it("replaceQueued swaps a waiting item in place, only while it is queued", async () => {
    for (let i = 1; i <= 3; i++) await f.a.enqueue(item(`c${i}`, i));
    const cb: QueueItem = { ...item("cb:c2", 2), kind: "callback" };
    expect((await f.b.replaceQueued("c2", cb))?.id).toBe("c2");
    expect((await f.a.peek("q1", 10)).map((i) => i.id)).toEqual(["c1", "cb:c2", "c3"]);
    expect(await f.a.getItem("c2")).toBeUndefined();
    // to another queue
    expect((await f.a.replaceQueued("c3", item("c3", 3, 0, "q2")))?.id).toBe("c3");
    expect((await f.a.peek("q2", 10)).map((i) => i.id)).toEqual(["c3"]);
    // plain removal; second removal finds nothing
    expect((await f.a.replaceQueued("c1"))?.id).toBe("c1");
    expect(await f.b.replaceQueued("c1")).toBeUndefined();
    // an item held by an agent is not queued: replace refused, nothing changes
    await f.a.putAgent(-1, agent("a1", "READY", 0));
    await f.a.reserve("cb:c2", "a1", 1);
    expect(await f.a.replaceQueued("cb:c2")).toBeUndefined();
    expect(await f.a.holder("cb:c2")).toBe("a1");
  });
});
