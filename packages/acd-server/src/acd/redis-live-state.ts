import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { AgentState } from "./agent-state.js";
import { type AgentTransition, itemScore, type LiveState } from "./live-state.js";
import type { AgentLive, QueueItem } from "./types.js";

/*
 * Keys, all under one prefix (give it a {hash tag} to keep them in one slot on a
 * Redis Cluster):
 *   seq          string   arrival counter (INCR)
 *   items        hash     itemId → item JSON (queued or held by an agent)
 *   queued       hash     itemId → queueId, only while the item waits in a queue
 *   q:<queueId>  zset     itemId scored by (9 − priority)·2^40 + seq
 *   agents       hash     agentId → agent JSON (with version)
 *   ready        zset     READY agentIds scored by idleSince (longest idle first)
 *   holder       hash     itemId → agentId while an agent holds it
 * The scripts below run atomically in Redis (EVAL is not interleaved with other
 * commands), which is what makes reservation safe across server nodes.
 */

const ENQUEUE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1`;

// KEYS: items queued; ARGV: prefix itemId newId newJson newScore newQueueId
const REPLACE_QUEUED = `
local q = redis.call('HGET', KEYS[2], ARGV[2])
if not q then return false end
if ARGV[3] ~= '' and ARGV[3] ~= ARGV[2] and redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 then return false end
local old = redis.call('HGET', KEYS[1], ARGV[2])
redis.call('ZREM', ARGV[1] .. 'q:' .. q, ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[6])
  redis.call('ZADD', ARGV[1] .. 'q:' .. ARGV[6], ARGV[5], ARGV[3])
end
return old`;

// KEYS: queued agents ready holder; ARGV: prefix itemId agentId now
const RESERVE = `
local q = redis.call('HGET', KEYS[1], ARGV[2])
if not q then return false end
if not redis.call('ZSCORE', KEYS[3], ARGV[3]) then return false end
local raw = redis.call('HGET', KEYS[2], ARGV[3])
if not raw then return false end
local a = cjson.decode(raw)
if a.state ~= 'READY' then return false end
local n = cjson.encode({agentId = a.agentId, state = 'RESERVED', itemId = ARGV[2], since = tonumber(ARGV[4]),
  idleSince = a.idleSince, version = a.version + 1})
redis.call('HSET', KEYS[2], ARGV[3], n)
redis.call('ZREM', KEYS[3], ARGV[3])
redis.call('ZREM', ARGV[1] .. 'q:' .. q, ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
return {raw, n}`;

// KEYS: items queued agents ready holder
// ARGV: prefix agentId expectedVersion nextJson nextState idleSince itemId requeueId requeueJson score queueId
const RELEASE = `
local raw = redis.call('HGET', KEYS[3], ARGV[2])
if not raw then return 0 end
if cjson.decode(raw).version ~= tonumber(ARGV[3]) then return 0 end
if redis.call('HGET', KEYS[5], ARGV[7]) ~= ARGV[2] then return 0 end
if ARGV[8] ~= '' and ARGV[8] ~= ARGV[7] and redis.call('HEXISTS', KEYS[1], ARGV[8]) == 1 then return 0 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
if ARGV[5] == 'READY' then redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2]) else redis.call('ZREM', KEYS[4], ARGV[2]) end
redis.call('HDEL', KEYS[5], ARGV[7])
redis.call('HDEL', KEYS[1], ARGV[7])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[8], ARGV[9])
  redis.call('HSET', KEYS[2], ARGV[8], ARGV[11])
  redis.call('ZADD', ARGV[1] .. 'q:' .. ARGV[11], ARGV[10], ARGV[8])
end
return 1`;

// KEYS: agents ready; ARGV: agentId expectedVersion json state idleSince
const PUT_AGENT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local cur = -1
if raw then cur = cjson.decode(raw).version end
if cur ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == 'READY' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1`;

// KEYS: agents ready
// ARGV: agentId ",FROM,STATES," state reason|'' keepItem(1/0) since setIdle(1/0) expectItem|''
// → {0} no agent, {0, cur} refused, {1, prev, next}; builds the record like applyTransition()
const TRANSITION = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {0} end
local a = cjson.decode(raw)
if not string.find(ARGV[2], ',' .. a.state .. ',', 1, true) then return {0, raw} end
if ARGV[8] ~= '' and a.itemId ~= ARGV[8] then return {0, raw} end
if ARGV[5] ~= '1' and a.itemId then return {0, raw} end
local since = tonumber(ARGV[6])
local n = {agentId = a.agentId, state = ARGV[3], since = since, idleSince = a.idleSince, version = a.version + 1}
if ARGV[4] ~= '' then n.reason = ARGV[4] end
if ARGV[5] == '1' then n.itemId = a.itemId end
if ARGV[7] == '1' then n.idleSince = since end
local out = cjson.encode(n)
redis.call('HSET', KEYS[1], ARGV[1], out)
if ARGV[3] == 'READY' then redis.call('ZADD', KEYS[2], n.idleSince, ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return {1, raw, out}`;

// KEYS: queued; ARGV: prefix itemId → {queueId, rank0} or false
const POSITION = `
local q = redis.call('HGET', KEYS[1], ARGV[2])
if not q then return false end
return {q, redis.call('ZRANK', ARGV[1] .. 'q:' .. q, ARGV[2])}`;

// KEYS: ready items; ARGV: prefix limit queueId… → {ready-with-scores, {item JSON…} per queue}
// (limit stays small here: deeper looks go through peekMany, so unpack() never meets a huge list)
const SNAPSHOT = `
local out = {redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')}
for i = 3, #ARGV do
  local ids = redis.call('ZRANGE', ARGV[1] .. 'q:' .. ARGV[i], 0, tonumber(ARGV[2]) - 1)
  if #ids > 0 then out[#out + 1] = redis.call('HMGET', KEYS[2], unpack(ids)) else out[#out + 1] = {} end
end
return out`;

interface Script {
  readonly lua: string;
  readonly sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash("sha1").update(lua).digest("hex") });
const S = {
  enqueue: script(ENQUEUE),
  replace: script(REPLACE_QUEUED),
  reserve: script(RESERVE),
  release: script(RELEASE),
  put: script(PUT_AGENT),
  position: script(POSITION),
  snapshot: script(SNAPSHOT),
  transition: script(TRANSITION),
};

const parseItem = (s: string): QueueItem => JSON.parse(s) as QueueItem;
const parseAgent = (s: string): AgentLive => JSON.parse(s) as AgentLive;

/**
 * Live state in Redis, shared by several server nodes. Given a connection, the
 * caller owns it; made by {@link RedisLiveState.connect}, `close()` ends it.
 */
export class RedisLiveState implements LiveState {
  readonly #r: Redis;
  readonly #p: string;
  readonly #owned: boolean;
  #closed = false;

  constructor(redis: Redis, prefix: string, owned = false) {
    this.#r = redis;
    this.#p = prefix;
    this.#owned = owned;
  }

  /** Opens its own connection (e.g. `redis://127.0.0.1:6379`) and waits until it is ready. */
  static async connect(url: string, prefix: string): Promise<RedisLiveState> {
    const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await r.connect();
    return new RedisLiveState(r, prefix, true);
  }

  #k(name: string): string {
    return this.#p + name;
  }

  async #run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.#r.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
        return await this.#r.eval(s.lua, keys.length, ...keys, ...args);
      }
      throw err;
    }
  }

  async nextSeq(): Promise<number> {
    return await this.#r.incr(this.#k("seq"));
  }

  async enqueue(item: QueueItem): Promise<boolean> {
    const r = await this.#run(
      S.enqueue,
      [this.#k("items"), this.#k("queued"), this.#k(`q:${item.queueId}`)],
      [item.id, JSON.stringify(item), itemScore(item), item.queueId],
    );
    return r === 1;
  }

  async replaceQueued(itemId: string, replacement?: QueueItem): Promise<QueueItem | undefined> {
    const r = await this.#run(
      S.replace,
      [this.#k("items"), this.#k("queued")],
      [
        this.#p,
        itemId,
        replacement?.id ?? "",
        replacement ? JSON.stringify(replacement) : "",
        replacement ? itemScore(replacement) : 0,
        replacement?.queueId ?? "",
      ],
    );
    return typeof r === "string" ? parseItem(r) : undefined;
  }

  async reserve(
    itemId: string,
    agentId: string,
    now: number,
  ): Promise<{ prev: AgentLive; next: AgentLive } | undefined> {
    const r = await this.#run(
      S.reserve,
      [this.#k("queued"), this.#k("agents"), this.#k("ready"), this.#k("holder")],
      [this.#p, itemId, agentId, now],
    );
    if (!Array.isArray(r) || typeof r[0] !== "string" || typeof r[1] !== "string") return undefined;
    return { prev: parseAgent(r[0]), next: parseAgent(r[1]) };
  }

  async release(
    expectedVersion: number,
    next: AgentLive,
    itemId: string,
    requeue?: QueueItem,
  ): Promise<boolean> {
    const r = await this.#run(
      S.release,
      [this.#k("items"), this.#k("queued"), this.#k("agents"), this.#k("ready"), this.#k("holder")],
      [
        this.#p,
        next.agentId,
        expectedVersion,
        JSON.stringify(next),
        next.state,
        next.idleSince,
        itemId,
        requeue?.id ?? "",
        requeue ? JSON.stringify(requeue) : "",
        requeue ? itemScore(requeue) : 0,
        requeue?.queueId ?? "",
      ],
    );
    return r === 1;
  }

  async transitionAgent(
    agentId: string,
    from: readonly AgentState[],
    to: AgentTransition,
    expectItem?: string,
  ): Promise<{ ok: true; prev: AgentLive; next: AgentLive } | { ok: false; cur: AgentLive | undefined }> {
    const r = await this.#run(
      S.transition,
      [this.#k("agents"), this.#k("ready")],
      [
        agentId,
        `,${from.join(",")},`,
        to.state,
        to.reason ?? "",
        to.keepItem ? "1" : "0",
        to.since,
        to.setIdle ? "1" : "0",
        expectItem ?? "",
      ],
    );
    if (!Array.isArray(r)) throw new Error("transition: unexpected reply");
    if (r[0] === 1) return { ok: true, prev: parseAgent(String(r[1])), next: parseAgent(String(r[2])) };
    return { ok: false, cur: typeof r[1] === "string" ? parseAgent(r[1]) : undefined };
  }

  async putAgent(expectedVersion: number, next: AgentLive): Promise<boolean> {
    const r = await this.#run(
      S.put,
      [this.#k("agents"), this.#k("ready")],
      [next.agentId, expectedVersion, JSON.stringify(next), next.state, next.idleSince],
    );
    return r === 1;
  }

  async getAgent(agentId: string): Promise<AgentLive | undefined> {
    const s = await this.#r.hget(this.#k("agents"), agentId);
    return s === null ? undefined : parseAgent(s);
  }

  async listAgents(): Promise<AgentLive[]> {
    return (await this.#r.hvals(this.#k("agents"))).map(parseAgent);
  }

  async readyAgents(): Promise<{ agentId: string; idleSince: number }[]> {
    const flat = await this.#r.zrange(this.#k("ready"), "0", "-1", "WITHSCORES");
    const out: { agentId: string; idleSince: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      out.push({ agentId: flat[i]!, idleSince: Number(flat[i + 1]) });
    return out;
  }

  async getItem(itemId: string): Promise<QueueItem | undefined> {
    const s = await this.#r.hget(this.#k("items"), itemId);
    return s === null ? undefined : parseItem(s);
  }

  async peek(queueId: string, limit: number): Promise<QueueItem[]> {
    return (await this.peekMany([queueId], limit)).get(queueId) ?? [];
  }

  async snapshot(
    queueIds: readonly string[],
    limit: number,
  ): Promise<{ ready: { agentId: string; idleSince: number }[]; heads: Map<string, QueueItem[]> }> {
    const capped = Math.max(0, Math.min(limit, 256));
    const r = await this.#run(
      S.snapshot,
      [this.#k("ready"), this.#k("items")],
      [this.#p, capped, ...queueIds],
    );
    if (!Array.isArray(r)) throw new Error("snapshot: unexpected reply");
    const flat = (r[0] ?? []) as string[];
    const ready: { agentId: string; idleSince: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      ready.push({ agentId: flat[i]!, idleSince: Number(flat[i + 1]) });
    const heads = new Map<string, QueueItem[]>();
    queueIds.forEach((q, i) => {
      const jsons = (r[i + 1] ?? []) as (string | null)[];
      heads.set(q, jsons.filter((j): j is string => typeof j === "string").map(parseItem));
    });
    return { ready, heads };
  }

  async peekMany(queueIds: readonly string[], limit: number): Promise<Map<string, QueueItem[]>> {
    const out = new Map<string, QueueItem[]>();
    if (queueIds.length === 0 || limit <= 0) {
      for (const q of queueIds) out.set(q, []);
      return out;
    }
    const p = this.#r.pipeline();
    for (const q of queueIds) p.zrange(this.#k(`q:${q}`), "0", String(limit - 1));
    const res = (await p.exec()) ?? [];
    const ids: string[][] = res.map(([err, v]) => {
      if (err) throw err;
      return v as string[];
    });
    const all = ids.flat();
    const jsons = all.length > 0 ? await this.#r.hmget(this.#k("items"), ...all) : [];
    let j = 0;
    queueIds.forEach((q, i) => {
      const items: QueueItem[] = [];
      for (const _ of ids[i] ?? []) {
        const s = jsons[j++];
        // an item removed between the two reads is simply skipped: peeks are advisory,
        // the reservation re-checks atomically
        if (s) items.push(parseItem(s));
      }
      out.set(q, items);
    });
    return out;
  }

  async queueLength(queueId: string): Promise<number> {
    return await this.#r.zcard(this.#k(`q:${queueId}`));
  }

  async position(itemId: string): Promise<{ queueId: string; position: number } | undefined> {
    const r = await this.#run(S.position, [this.#k("queued")], [this.#p, itemId]);
    if (!Array.isArray(r) || typeof r[0] !== "string" || typeof r[1] !== "number") return undefined;
    return { queueId: r[0], position: r[1] + 1 };
  }

  async holder(itemId: string): Promise<string | undefined> {
    return (await this.#r.hget(this.#k("holder"), itemId)) ?? undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#r.quit().catch(() => this.#r.disconnect());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Deletes every key under the prefix (tests, benches). */
  async destroy(): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = await this.#r.scan(cursor, "MATCH", `${this.#p}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await this.#r.del(...keys);
    } while (cursor !== "0");
  }
}
