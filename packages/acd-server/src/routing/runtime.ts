import type { Logger } from "pino";
import {
  Acd,
  type AgentLive,
  AgentState,
  type Clock,
  countsAsAnswer,
  type LiveState,
  MemoryLiveState,
  RedisLiveState,
  systemClock,
} from "../acd/index.js";
import type { AgentView, WallboardFigures } from "../events/catalogue.js";
import { rooms } from "../events/catalogue.js";
import type { EventServer } from "../events/socket.js";
import type { Store } from "../store/store.js";
import { loadAcdConfig } from "./acd-config.js";
import { numberFor } from "./mask.js";
import { screenPopFor } from "./screen-pop.js";

export interface AcdRuntimeOptions {
  store: Store;
  log: Logger;
  /** Redis URL for shared live state across nodes; unset = in memory (one node). */
  redisUrl?: string | undefined;
  redisPrefix?: string;
  clock?: Clock;
}

const hourOf = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000).getUTCHours();

/**
 * The ACD as the server runs it: configured from the store, its live state in memory or in
 * Redis, every agent transition written as a history row, and changes pushed to socket.io
 * rooms. The domain (../acd) knows none of this.
 */
export class AcdRuntime {
  readonly acd: Acd;
  readonly #state: LiveState;
  readonly #store: Store;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #names = new Map<string, string>();
  readonly #queuesOf = new Map<string, string[]>();
  readonly #queueNames = new Map<string, string>();
  readonly #wrapUntil = new Map<string, number>();
  readonly #currentCall = new Map<string, string>();
  readonly #hourly = new Map<number, { offered: number; answered: number; abandoned: number }>();
  #hourlyDay = "";
  #io: EventServer | undefined;
  #history: Promise<unknown> = Promise.resolve();
  #pushTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(acd: Acd, state: LiveState, opts: AcdRuntimeOptions, clock: Clock) {
    this.acd = acd;
    this.#state = state;
    this.#store = opts.store;
    this.#log = opts.log;
    this.#clock = clock;
  }

  static async start(opts: AcdRuntimeOptions): Promise<AcdRuntime> {
    const clock = opts.clock ?? systemClock;
    const config = await loadAcdConfig(opts.store);
    const state: LiveState = opts.redisUrl
      ? await RedisLiveState.connect(opts.redisUrl, opts.redisPrefix ?? "hotline12345:")
      : new MemoryLiveState();
    const acd = new Acd({
      state,
      clock,
      queues: config.queues,
      agents: config.agents,
      // Until the switch can dial a caller back (outbound trunks), agents take callback tasks
      // by hand from their desk (claim), rather than being offered them like calls.
      dispatchCallbacks: false,
      onListenerError: (err, event) => opts.log.error({ err, event }, "ACD listener failed"),
    });
    const runtime = new AcdRuntime(acd, state, opts, clock);
    for (const a of config.agents) runtime.#names.set(a.id, a.name ?? a.id);
    for (const q of config.queues) runtime.#queueNames.set(q.id, q.name ?? q.id);
    const members = await opts.store.db.selectFrom("queue_members").selectAll().execute();
    for (const m of members)
      runtime.#queuesOf.set(m.user_id, [...(runtime.#queuesOf.get(m.user_id) ?? []), m.queue_id]);
    runtime.#listen();
    return runtime;
  }

  /**
   * Re-reads queues, skills and agents from the store and hands them to the ACD, so an admin's
   * change applies to the next routing decision without a restart.
   */
  async reload(): Promise<void> {
    const config = await loadAcdConfig(this.#store);
    await this.acd.reconfigure(config.queues, config.agents);
    for (const a of config.agents) this.#names.set(a.id, a.name ?? a.id);
    for (const q of config.queues) this.#queueNames.set(q.id, q.name ?? q.id);
    const members = await this.#store.db.selectFrom("queue_members").selectAll().execute();
    this.#queuesOf.clear();
    for (const m of members)
      this.#queuesOf.set(m.user_id, [...(this.#queuesOf.get(m.user_id) ?? []), m.queue_id]);
  }

  /** Where to push events; set once socket.io is attached. */
  attach(io: EventServer): void {
    this.#io = io;
  }

  #listen(): void {
    const ev = this.acd.events;
    ev.on("agent.state", (e) => {
      if (e.from === AgentState.WrapUp && e.to !== AgentState.WrapUp) this.#wrapUntil.delete(e.agentId);
      if (
        e.itemId &&
        e.to !== AgentState.WrapUp &&
        e.to !== AgentState.NotReady &&
        e.to !== AgentState.Ready
      ) {
        this.#currentCall.set(e.agentId, e.itemId);
      } else {
        this.#currentCall.delete(e.agentId);
      }
      this.#writeHistory(e.agentId, e.from, e.to, e.reason, e.itemId, e.at, e.at - e.previousSince);
      void this.#pushAgent(e.agentId);
      this.#schedulePush();
    });
    ev.on("agent.wrapup", (e) => {
      this.#wrapUntil.set(e.agentId, e.untilMs);
      void this.#pushAgent(e.agentId);
    });
    ev.on("call.queued", (e) => {
      this.#count(e.at, "offered");
      this.#schedulePush();
    });
    ev.on("call.answered", (e) => {
      // A consult, or the same caller answered again after a transfer, is not another call.
      if (countsAsAnswer(e.item)) this.#count(e.at, "answered");
      this.#schedulePush();
    });
    ev.on("call.abandoned", (e) => {
      this.#count(e.at, "abandoned");
      this.#schedulePush();
    });
    ev.on("call.offered", (e) => {
      const io = this.#io;
      if (!io) return;
      const base = {
        callId: e.item.id,
        queueId: e.item.queueId,
        waitedSeconds: Math.round((e.at - e.item.arrivedAt) / 1000),
        attached: { ...(e.item.data ?? {}) },
      };
      // Each socket gets the number (in the screen pop too) as its own role may see it.
      void Promise.all([
        io.in(rooms.agent(e.agentId)).fetchSockets(),
        this.#screenPopOf(e.item.queueId),
      ]).then(([sockets, pop]) => {
        for (const s of sockets) {
          const role = s.data.role;
          const filled = pop
            ? screenPopFor(pop, { callId: e.item.id, caller: e.item.number, data: base.attached, role })
            : undefined;
          s.emit("call.offered", {
            ...base,
            caller: numberFor(role, e.item.number),
            ...(filled ? { screenPopUrl: filled.url, screenPop: filled } : {}),
          });
        }
      });
    });
    for (const name of [
      "call.requeued",
      "call.ended",
      "call.overflowed",
      "call.transferred",
      "callback.created",
    ] as const) {
      ev.on(name, () => this.#schedulePush());
    }
    ev.on("error", (e) => this.#log.error({ err: e.error, op: e.op }, "ACD timer work failed"));
  }

  /**
   * The queue's screen-pop settings, read per offer so an admin's change applies to the next
   * call; a store hiccup costs the pop, never the offer.
   */
  async #screenPopOf(queueId: string) {
    const q = await this.#store.db
      .selectFrom("queues")
      .select(["screen_pop_url", "screen_pop_mode", "screen_pop_when"])
      .where("id", "=", queueId)
      .executeTakeFirst()
      .catch((err: unknown) => this.#log.warn({ err, queueId }, "screen pop settings not read"));
    return q ? { url: q.screen_pop_url, mode: q.screen_pop_mode, when: q.screen_pop_when } : undefined;
  }

  #count(at: number, what: "offered" | "answered" | "abandoned"): void {
    const day = new Date(at + 480 * 60_000).toISOString().slice(0, 10);
    if (day !== this.#hourlyDay) {
      this.#hourly.clear();
      this.#hourlyDay = day;
    }
    const h = hourOf(at, 480);
    const row = this.#hourly.get(h) ?? { offered: 0, answered: 0, abandoned: 0 };
    row[what]++;
    this.#hourly.set(h, row);
  }

  #writeHistory(
    agentId: string,
    from: string,
    to: string,
    reason: string | undefined,
    callId: string | undefined,
    at: number,
    fromMs: number,
  ): void {
    // One chain keeps rows in event order; a failed write is logged, never thrown into the ACD.
    this.#history = this.#history.then(() =>
      this.#store.db
        .insertInto("agent_state_history")
        .values({
          agent_id: agentId,
          from_state: from,
          to_state: to,
          reason: reason ?? null,
          call_id: callId ?? null,
          at: new Date(at),
          from_ms: Math.max(0, Math.round(fromMs)),
        })
        .execute()
        .catch((err: unknown) => this.#log.error({ err, agentId }, "agent history row not written")),
    );
  }

  /** Resolves when every history row so far is written (tests, shutdown). */
  flushHistory(): Promise<unknown> {
    return this.#history;
  }

  async #pushAgent(agentId: string): Promise<void> {
    if (!this.#io || this.#closed) return;
    const view = await this.agentView(agentId).catch(() => undefined);
    if (view) this.#io.to([rooms.agent(agentId), rooms.supervisors]).emit("agent.state", view);
  }

  /** Queue figures and the wallboard are pushed at most once a second, however busy the ACD is. */
  #schedulePush(): void {
    if (this.#pushTimer || !this.#io || this.#closed) return;
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = undefined;
      void this.#pushFigures().catch((err: unknown) => this.#log.warn({ err }, "figures push failed"));
    }, 1000);
    this.#pushTimer.unref();
  }

  async #pushFigures(): Promise<void> {
    const io = this.#io;
    if (!io || this.#closed) return;
    for (const s of await this.queueStats())
      io.to([rooms.queue(s.queueId), rooms.supervisors]).emit("queue.stats", s);
    io.to(rooms.supervisors).emit("wallboard", await this.wallboard());
  }

  view(live: AgentLive): AgentView {
    const until = this.#wrapUntil.get(live.agentId);
    const call = this.#currentCall.get(live.agentId) ?? live.itemId;
    return {
      agentId: live.agentId,
      displayName: this.#names.get(live.agentId) ?? live.agentId,
      state: live.state,
      ...(live.reason ? { reason: live.reason } : {}),
      since: new Date(live.since).toISOString(),
      ...(live.state === AgentState.WrapUp && until ? { wrapUpEndsAt: new Date(until).toISOString() } : {}),
      ...(call ? { callId: call } : {}),
      queues: this.#queuesOf.get(live.agentId) ?? [],
    };
  }

  /** Callback tasks waiting in the given queues (missed calls, callers who chose a callback). */
  async callbackTasks(queueIds: readonly string[]) {
    const out = [];
    for (const q of queueIds) {
      if (!this.#queueNames.has(q)) continue;
      for (const item of await this.acd.waiting(q)) if (item.kind !== "call") out.push(item);
    }
    return out.sort((a, b) => a.arrivedAt - b.arrivedAt);
  }

  queueIds(): string[] {
    return [...this.#queueNames.keys()].sort();
  }

  queuesOf(agentId: string): string[] {
    return this.#queuesOf.get(agentId) ?? [];
  }

  async agentView(agentId: string): Promise<AgentView> {
    return this.view(await this.acd.agent(agentId));
  }

  async listAgents(): Promise<AgentView[]> {
    return Promise.all([...this.#names.keys()].sort().map((id) => this.agentView(id)));
  }

  async queueStats() {
    return Promise.all(
      [...this.#queueNames.keys()].sort().map(async (id) => {
        const s = await this.acd.queueStats(id);
        const offered = s.answeredToday + s.abandonedToday;
        return {
          queueId: id,
          waiting: s.waiting,
          longestWaitSeconds: Math.round(s.longestWaitMs / 1000),
          agentsReady: s.agents.READY,
          serviceLevel: offered === 0 ? null : s.serviceLevelToday,
        };
      }),
    );
  }

  async wallboard(): Promise<WallboardFigures> {
    const stats = await Promise.all([...this.#queueNames.keys()].sort().map((id) => this.acd.queueStats(id)));
    const agents = await this.#state.listAgents();
    const agentsByState: WallboardFigures["agentsByState"] = {};
    for (const a of agents) agentsByState[a.state] = (agentsByState[a.state] ?? 0) + 1;
    const answered = stats.reduce((n, s) => n + s.answeredToday, 0);
    const abandoned = stats.reduce((n, s) => n + s.abandonedToday, 0);
    const within = stats.reduce((n, s) => n + s.serviceLevelToday * (s.answeredToday + s.abandonedToday), 0);
    const offered = answered + abandoned;
    return {
      at: new Date(this.#clock.now()).toISOString(),
      waiting: stats.reduce((n, s) => n + s.waiting, 0),
      longestWaitSeconds: Math.round(Math.max(0, ...stats.map((s) => s.longestWaitMs)) / 1000),
      offeredToday: offered,
      answeredToday: answered,
      abandonedToday: abandoned,
      answeredWithinThresholdRate: answered === 0 ? null : Math.min(1, within / answered),
      answerRate: offered === 0 ? null : answered / offered,
      satisfactionRate: await this.#satisfactionToday(),
      agentsByState,
      hourly: [...this.#hourly.entries()].sort(([a], [b]) => a - b).map(([hour, r]) => ({ hour, ...r })),
      queues: stats.map((s) => {
        const off = s.answeredToday + s.abandonedToday;
        return {
          queueId: s.queueId,
          name: this.#queueNames.get(s.queueId) ?? s.queueId,
          waiting: s.waiting,
          longestWaitSeconds: Math.round(s.longestWaitMs / 1000),
          answered: s.answeredToday,
          abandoned: s.abandonedToday,
          serviceLevel: off === 0 ? null : s.serviceLevelToday,
        };
      }),
    };
  }

  /**
   * Satisfied ratings today (1 very satisfied, 2 satisfied) over all ratings today, from the
   * survey rows: the hotline's monthly assessment counts these, so they come from the record,
   * not from this node's memory.
   */
  async #satisfactionToday(): Promise<number | null> {
    const now = this.#clock.now();
    const dayStart = Date.parse(`${new Date(now + 480 * 60_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
    const rows = await this.#store.db
      .selectFrom("surveys")
      .select(["rating"])
      .where("at", ">=", new Date(dayStart))
      .execute()
      .catch(() => []);
    if (rows.length === 0) return null;
    return rows.filter((r) => r.rating <= 2).length / rows.length;
  }

  /** Stops the ACD, writes the last history rows, closes the live state. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pushTimer) clearTimeout(this.#pushTimer);
    await this.acd.close();
    await this.#history;
    await this.#state.close();
  }
}
