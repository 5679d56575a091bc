import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Acd } from "./acd.js";
import { FakeClock } from "./clock.js";
import { RedisLiveState } from "./redis-live-state.js";
import { type AgentProfile, queueConfig } from "./types.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe("two ACD nodes sharing one Redis", () => {
  it("racing enqueues and READY agents on both nodes: every call offered once, every agent offered one call", async () => {
    const prefix = `test:acd-2n:${randomUUID()}:`;
    const sa = await RedisLiveState.connect(REDIS_URL, prefix);
    const sb = await RedisLiveState.connect(REDIS_URL, prefix);
    cleanup.push(async () => {
      await sa.destroy();
      await sa.close();
      await sb.close();
    });
    const clock = new FakeClock(Date.parse("2026-03-02T09:00:00+08:00"));
    const queues = [queueConfig({ id: "g", ringTimeoutMs: 20_000 })];
    const agents: AgentProfile[] = Array.from({ length: 20 }, (_, i) => ({
      id: `a${i}`,
      skills: {},
      languages: ["zh"],
    }));
    const nodeA = new Acd({ state: sa, clock, queues, agents });
    const nodeB = new Acd({ state: sb, clock, queues, agents });
    cleanup.push(async () => {
      await nodeA.close();
      await nodeB.close();
    });
    const offers: { node: string; agentId: string; itemId: string }[] = [];
    const requeued: string[] = [];
    for (const [name, n] of [
      ["A", nodeA],
      ["B", nodeB],
    ] as const) {
      n.events.on("call.offered", (e) => offers.push({ node: name, agentId: e.agentId, itemId: e.item.id }));
      n.events.on("call.requeued", (e) => requeued.push(e.item.id));
      n.events.on("error", (e) => {
        throw e.error;
      });
    }
    const node = (i: number) => (i % 2 === 0 ? nodeA : nodeB);
    await Promise.all(agents.map((a, i) => node(i).login(a.id)));
    // 40 calls arrive on both nodes at once, then 20 agents become READY on both nodes at once
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        node(i + 1).enqueue({ callId: `c${i}`, queueId: "g", number: "1" }),
      ),
    );
    await Promise.all(agents.map((a, i) => node(i).setReady(a.id)));
    const settle = async () => {
      await nodeA.idle();
      await nodeB.idle();
    };
    // 100 ms covers a node that backed off after losing many races in a row
    await clock.advance(100, settle);

    expect(offers).toHaveLength(20);
    expect(new Set(offers.map((o) => o.agentId)).size).toBe(20);
    expect(new Set(offers.map((o) => o.itemId)).size).toBe(20);
    expect(new Set(offers.map((o) => o.node))).toEqual(new Set(["A", "B"])); // both nodes really routed
    const counters = [nodeA.routingCounters, nodeB.routingCounters];
    expect(counters[0]!.reservations + counters[1]!.reservations).toBe(20);
    expect(counters[0]!.lostRaces + counters[1]!.lostRaces).toBeGreaterThan(0); // they really raced
    for (const o of offers)
      expect(await sa.getAgent(o.agentId)).toMatchObject({ state: "RINGING", itemId: o.itemId });
    // the 20 not offered are still waiting, in arrival order
    const waiting = await sb.peek("g", 100);
    expect(waiting).toHaveLength(20);
    for (let i = 1; i < waiting.length; i++) expect(waiting[i - 1]!.seq).toBeLessThan(waiting[i]!.seq);
    // the 20 offered were the 20 that arrived first
    const offeredSeqs = await Promise.all(offers.map(async (o) => (await sa.getItem(o.itemId))!.seq));
    expect(Math.max(...offeredSeqs)).toBeLessThan(waiting[0]!.seq);

    // nobody answers: each node's ring timers give back the calls it offered, to their original places
    await clock.advance(20_000, settle);
    expect(requeued.sort()).toEqual(offers.map((o) => o.itemId).sort());
    const after = await sa.peek("g", 100);
    expect(after.map((i) => i.seq)).toEqual([...after.map((i) => i.seq)].sort((x, y) => x - y));
    expect(after).toHaveLength(40);
    for (const a of agents)
      expect(await sb.getAgent(a.id)).toMatchObject({ state: "NOT_READY", reason: "no-answer" });
    for (const [i, a] of agents.entries()) await node(i).logout(a.id);
  });

  it("a node dies while its agent rings: another node's sweep gives the call back to its place", async () => {
    const prefix = `test:acd-2n:${randomUUID()}:`;
    const sa = await RedisLiveState.connect(REDIS_URL, prefix);
    const sb = await RedisLiveState.connect(REDIS_URL, prefix);
    cleanup.push(async () => {
      await sa.destroy();
      await sa.close();
      await sb.close();
    });
    const clock = new FakeClock(Date.parse("2026-03-02T09:00:00+08:00"));
    const queues = [queueConfig({ id: "g", ringTimeoutMs: 20_000 })];
    const agents: AgentProfile[] = [{ id: "a1", skills: {}, languages: ["zh"] }];
    const nodeA = new Acd({ state: sa, clock, queues, agents });
    const nodeB = new Acd({ state: sb, clock, queues, agents, sweepIntervalMs: 5_000, sweepGraceMs: 5_000 });
    cleanup.push(async () => {
      await nodeA.close(); // idempotent: also covers a failure before the "death" below
      await nodeB.close();
    });
    const requeued: string[] = [];
    nodeB.events.on("call.requeued", (e) => requeued.push(`${e.item.id}:${e.reason}`));
    await nodeA.enqueue({ callId: "c1", queueId: "g", number: "1" });
    await nodeA.enqueue({ callId: "c2", queueId: "g", number: "1" });
    await nodeA.login("a1");
    await nodeA.setReady("a1");
    await nodeA.idle();
    expect(await sb.getAgent("a1")).toMatchObject({ state: "RINGING", itemId: "c1" });
    await nodeA.close(); // the node "dies": its ring timer is gone, nobody gives c1 back
    const settle = () => nodeB.idle();
    await clock.advance(25_000, settle); // ring timeout + grace not yet passed at the last sweep
    expect(requeued).toEqual([]);
    await clock.advance(5_000, settle);
    expect(requeued).toEqual(["c1:no-answer"]);
    expect(await sb.getAgent("a1")).toMatchObject({ state: "NOT_READY", reason: "no-answer" });
    expect((await sb.peek("g", 10)).map((i) => i.id)).toEqual(["c1", "c2"]);
    expect(await nodeB.sweep()).toEqual([]); // nothing left to take back
  });
});
