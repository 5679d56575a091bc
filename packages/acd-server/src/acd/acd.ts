import { AgentState, ALL_AGENT_STATES, assertTransition, CALL_STATES, canTransition } from "./agent-state.js";
import type { Clock, TimerHandle } from "./clock.js";
import { erlangCAsaMs, estimatedWaitMs } from "./erlang.js";
import { AcdError, AcdErrorCode } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { compareItems, type LiveState } from "./live-state.js";
import type { AgentLive, AgentProfile, OverflowTarget, QueueConfig, QueueItem } from "./types.js";
import { countsAsAnswer } from "./types.js";

// ───────────────────────────── events ─────────────────────────────

/** One row of agent history: every transition, with the time spent in the state it left. */
export interface AgentStateEvent {
  readonly agentId: string;
  readonly from: AgentState;
  readonly to: AgentState;
  readonly reason?: string;
  readonly itemId?: string;
  readonly at: number;
  /** When `from` began; `at − previousSince` is the time spent in it. */
  readonly previousSince: number;
  /** The record's version after the change: orders rows written by several nodes. */
  readonly version: number;
}

export type EndReason = "hangup" | "caller-hangup" | "agent-logout" | "agent-disconnect";
export type RequeueReason = "no-answer" | "rejected" | "agent-logout" | "agent-disconnect";
export type LogoutReason = "logout" | "disconnect";

export interface AcdEvents {
  "agent.state": AgentStateEvent;
  "agent.wrapup": { readonly agentId: string; readonly untilMs: number; readonly at: number };
  "call.queued": {
    readonly item: QueueItem;
    readonly position: number;
    readonly estimatedWaitMs: number;
    readonly at: number;
  };
  "call.rejected": {
    readonly callId: string;
    readonly queueId: string;
    readonly reason: "queue-full";
    readonly at: number;
  };
  /** `via: "claim"` when the agent picked the item out of order (see {@link Acd.claim}). */
  "call.reserved": {
    readonly item: QueueItem;
    readonly agentId: string;
    readonly via: "routing" | "claim";
    readonly at: number;
  };
  /**
   * Ring-all queues: the head call rings on every eligible READY agent at once; the
   * first to pick up calls {@link Acd.claim} (the atomic reservation), the others
   * get false. Emitted again whenever the call or the set of agents changes.
   */
  "call.ringall": {
    readonly item: QueueItem;
    readonly agentIds: readonly string[];
    readonly at: number;
  };
  "call.offered": {
    readonly item: QueueItem;
    readonly agentId: string;
    readonly ringTimeoutMs: number;
    readonly at: number;
  };
  "call.answered": {
    readonly item: QueueItem;
    readonly agentId: string;
    readonly waitMs: number;
    readonly withinServiceLevel: boolean;
    readonly at: number;
  };
  "call.requeued": {
    readonly item: QueueItem;
    readonly agentId: string;
    readonly reason: RequeueReason;
    readonly at: number;
  };
  "call.ended": {
    readonly item: QueueItem;
    readonly agentId: string;
    readonly reason: EndReason;
    readonly at: number;
  };
  "call.abandoned": {
    readonly item: QueueItem;
    readonly stage: "queued" | "offered";
    readonly waitMs: number;
    readonly at: number;
  };
  "call.overflowed": {
    readonly item: QueueItem;
    readonly target: OverflowTarget;
    readonly reason: "max-wait" | "max-size";
    readonly at: number;
  };
  "call.transferred": {
    readonly item: QueueItem;
    readonly fromAgentId: string;
    readonly toQueueId: string;
    readonly at: number;
  };
  "call.position": {
    readonly item: QueueItem;
    readonly position: number;
    readonly estimatedWaitMs: number;
    readonly at: number;
  };
  /** A callback task entered a queue; `replaces` is the call it stands for. */
  "callback.created": {
    readonly task: QueueItem;
    readonly replaces: string;
    readonly origin: "request" | "missed" | "overflow";
    readonly at: number;
  };
  /** Work that failed inside a timer (no caller to reject to). */
  error: { readonly op: string; readonly error: unknown };
}

// ───────────────────────────── commands ─────────────────────────────

export interface EnqueueRequest {
  readonly callId: string;
  readonly queueId: string;
  readonly number: string;
  readonly priority?: number;
  readonly language?: string;
  readonly whitelisted?: boolean;
  readonly data?: Readonly<Record<string, string>>;
  /** Only this agent may answer (one-to-one answering; consults and transfers to an agent). */
  readonly targetAgent?: string;
  /** A consult is routed like a call but is not a caller: not counted, no queue limits or timers. */
  readonly kind?: "call" | "consult";
}

export type EnqueueResult =
  | { readonly status: "queued"; readonly position: number; readonly estimatedWaitMs: number }
  | { readonly status: "overflowed"; readonly target: OverflowTarget }
  | { readonly status: "rejected"; readonly reason: "queue-full" };

export interface QueueStats {
  readonly queueId: string;
  readonly waiting: number;
  readonly longestWaitMs: number;
  readonly agents: Readonly<Record<AgentState, number>>;
  readonly answeredToday: number;
  readonly abandonedToday: number;
  /** Answered within the threshold / (answered + abandoned), today; 1 when nothing offered. */
  readonly serviceLevelToday: number;
  readonly ahtMs: number;
  /** Erlang C average speed of answer for a new caller. */
  readonly asaMs: number;
}

export interface AgentStats {
  readonly agentId: string;
  readonly callsHandled: number;
  /** Time per state, current state counted up to now. */
  readonly byState: Readonly<Record<AgentState, number>>;
  /** NOT_READY time per reason code. */
  readonly notReadyByReason: Readonly<Record<string, number>>;
  readonly firstLoginAt?: number;
}

export interface AcdOptions {
  readonly state: LiveState;
  readonly clock: Clock;
  readonly queues: readonly QueueConfig[];
  readonly agents: readonly AgentProfile[];
  /** Handle time assumed before any call has been handled. */
  readonly defaultAhtMs?: number;
  /** Window for arrival rate and handle times. */
  readonly statsWindowMs?: number;
  /** Offset of local time for "today" statistics (China: +480). */
  readonly utcOffsetMinutes?: number;
  /** Items first looked at per queue in one routing decision (deeper only when the head needs a language no READY agent speaks). */
  readonly scanDepth?: number;
  /**
   * Offer callback tasks to agents automatically, like calls (default true). Off while the
   * switch cannot dial the caller back: agents then take tasks by hand with `claim`.
   */
  readonly dispatchCallbacks?: boolean;
  /**
   * Period of {@link Acd.sweep} (0 = off, the default). With several nodes on one
   * Redis, set it (e.g. 5 s): a node that dies takes its ring timers with it, and
   * the sweep of a surviving node gives those calls back.
   */
  readonly sweepIntervalMs?: number;
  /** How long past its ring timeout an offer must be before a sweep takes it back. */
  readonly sweepGraceMs?: number;
  readonly onListenerError?: (err: unknown, event: keyof AcdEvents) => void;
}

const zeroStates = (): Record<AgentState, number> => ({
  LOGGED_OUT: 0,
  NOT_READY: 0,
  READY: 0,
  RESERVED: 0,
  RINGING: 0,
  ON_CALL: 0,
  HOLD: 0,
  WRAP_UP: 0,
});

interface AgentAccount {
  byState: Record<AgentState, number>;
  notReadyByReason: Record<string, number>;
  callsHandled: number;
  firstLoginAt?: number;
  /** Last state and its start seen by this node. */
  state: AgentState;
  since: number;
  reason?: string;
}

interface QueueCounters {
  day: string;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  arrivals: number[];
  handleTimes: number[];
}

const isCallState = (s: AgentState) => CALL_STATES.has(s);

/**
 * Refuses a configuration the ACD cannot honour (the API validates too; this is
 * the domain's own guard): skill levels 1–10, non-negative times, unique ids,
 * overflow to a known queue.
 */
export function validateConfig(queues: readonly QueueConfig[], agents: readonly AgentProfile[]): void {
  const bad = (message: string, details: Record<string, unknown>): never => {
    throw new AcdError(AcdErrorCode.InvalidConfig, message, details);
  };
  const level = (n: number) => Number.isInteger(n) && n >= 1 && n <= 10;
  const ids = new Set<string>();
  for (const q of queues) {
    if (ids.has(q.id)) bad(`duplicate queue ${q.id}`, { queueId: q.id });
    ids.add(q.id);
    for (const [skill, min] of Object.entries(q.requiredSkills)) {
      if (!level(min)) bad(`queue ${q.id}: minimum level of ${skill} must be 1–10`, { queueId: q.id, skill });
    }
    for (const k of [
      "ringTimeoutMs",
      "maxWaitMs",
      "maxSize",
      "announceIntervalMs",
      "serviceLevelMs",
      "wrapUpMs",
    ] as const) {
      if (!(q[k] >= 0)) bad(`queue ${q.id}: ${k} must be ≥ 0`, { queueId: q.id, field: k });
    }
    if (q.ringTimeoutMs <= 0)
      bad(`queue ${q.id}: ringTimeoutMs must be > 0`, { queueId: q.id, field: "ringTimeoutMs" });
  }
  for (const q of queues) {
    if (q.overflow?.kind === "queue" && !ids.has(q.overflow.queueId)) {
      bad(`queue ${q.id} overflows to unknown queue ${q.overflow.queueId}`, { queueId: q.id });
    }
  }
  const agentIds = new Set<string>();
  for (const a of agents) {
    if (agentIds.has(a.id)) bad(`duplicate agent ${a.id}`, { agentId: a.id });
    agentIds.add(a.id);
    for (const [skill, lvl] of Object.entries(a.skills)) {
      if (!level(lvl)) bad(`agent ${a.id}: level of ${skill} must be 1–10`, { agentId: a.id, skill });
    }
  }
}

/** A command that only makes sense from one state (e.g. retrieve from HOLD). */
function refuse(agentId: string, from: AgentState, to: AgentState): never {
  throw new AcdError(
    AcdErrorCode.IllegalAgentTransition,
    `agent ${agentId}: ${from} → ${to} is not allowed here`,
    {
      agentId,
      from,
      to,
    },
  );
}

/**
 * The ACD service: a pure domain object fed commands and clock ticks. It owns no
 * sockets and no SQL; live state sits behind {@link LiveState}, time behind
 * {@link Clock}, and every change is announced on {@link Acd.events}.
 *
 * Commands on one node run one at a time (a promise chain), so the node's view
 * is linearisable; across nodes, safety comes from the atomic LiveState
 * operations (reservation, release, compare-and-set).
 */
export class Acd {
  readonly events: TypedEmitter<AcdEvents>;
  readonly #state: LiveState;
  readonly #clock: Clock;
  readonly #queues = new Map<string, QueueConfig>();
  readonly #profiles = new Map<string, AgentProfile>();
  /** agentId → queueId → skill score (sum of levels in the queue's required skills). */
  readonly #eligible = new Map<string, Map<string, number>>();
  readonly #itemTimers = new Map<string, { maxWait?: TimerHandle; announce?: TimerHandle }>();
  readonly #agentTimers = new Map<string, { kind: "ring" | "wrap"; handle: TimerHandle; itemId?: string }>();
  readonly #accounts = new Map<string, AgentAccount>();
  readonly #counters = new Map<string, QueueCounters>();
  readonly #answeredAt = new Map<string, number>();
  readonly #rrLast = new Map<string, string>();
  readonly #defaultAht: number;
  readonly #window: number;
  readonly #offset: number;
  readonly #scanDepth: number;
  readonly #dispatchCallbacks: boolean;
  #staffedCache: { at: number; counts: Map<string, number> } | undefined;
  #retryTimer: TimerHandle | undefined;
  #reservations = 0;
  readonly #ringAllShown = new Map<string, string>();
  #hasRingAll: boolean;
  #lostRaces = 0;
  #sweepTimer: TimerHandle | undefined;
  readonly #sweepGrace: number;
  #chain: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #dispatchQueued = false;
  #closed = false;

  constructor(opts: AcdOptions) {
    this.#state = opts.state;
    this.#clock = opts.clock;
    this.#defaultAht = opts.defaultAhtMs ?? 180_000;
    this.#window = opts.statsWindowMs ?? 30 * 60_000;
    this.#offset = opts.utcOffsetMinutes ?? 480;
    this.#scanDepth = Math.max(1, Math.min(256, opts.scanDepth ?? 8));
    this.#dispatchCallbacks = opts.dispatchCallbacks ?? true;
    this.#sweepGrace = opts.sweepGraceMs ?? 5_000;
    const every = opts.sweepIntervalMs ?? 0;
    if (every > 0) {
      const tick = () => {
        this.#sweepTimer = this.#clock.setTimer(every, tick);
        this.#fromTimer("sweep", () => this.#sweep());
      };
      this.#sweepTimer = this.#clock.setTimer(every, tick);
    }
    this.events = new TypedEmitter<AcdEvents>(opts.onListenerError);
    validateConfig(opts.queues, opts.agents);
    this.#hasRingAll = opts.queues.some((q) => q.strategy === "ring-all");
    for (const q of opts.queues) this.#queues.set(q.id, q);
    for (const a of opts.agents) this.#addProfile(a);
  }

  /**
   * Applies new queue and agent configuration (an admin's edit) without a restart. It runs in
   * the command chain, so no routing decision sees half of it. Queues and agents are added or
   * replaced; ones missing from the new lists are kept until restart, so calls waiting in a
   * deleted queue and an agent on a call are never orphaned.
   */
  reconfigure(queues: readonly QueueConfig[], agents: readonly AgentProfile[]): Promise<void> {
    return this.#run(async () => {
      const nextQueues = new Map(this.#queues);
      for (const q of queues) nextQueues.set(q.id, q);
      const nextAgents = new Map(this.#profiles);
      for (const a of agents) nextAgents.set(a.id, a);
      validateConfig([...nextQueues.values()], [...nextAgents.values()]);
      this.#queues.clear();
      for (const [id, q] of nextQueues) this.#queues.set(id, q);
      this.#hasRingAll = [...this.#queues.values()].some((q) => q.strategy === "ring-all");
      this.#profiles.clear();
      this.#eligible.clear();
      for (const a of nextAgents.values()) this.#addProfile(a);
      this.#staffedCache = undefined;
      this.#scheduleDispatch();
    });
  }

  #addProfile(a: AgentProfile): void {
    this.#profiles.set(a.id, a);
    const m = new Map<string, number>();
    for (const q of this.#queues.values()) {
      let score = 0;
      let ok = true;
      for (const [skill, min] of Object.entries(q.requiredSkills)) {
        const lvl = a.skills[skill] ?? 0;
        if (lvl < min) ok = false;
        score += lvl;
      }
      if (ok) m.set(q.id, score);
    }
    this.#eligible.set(a.id, m);
  }

  // ───────────── serialisation ─────────────

  #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AcdError(AcdErrorCode.Closed, "ACD is closed"));
    this.#pending++;
    const p = this.#chain.then(fn);
    this.#chain = p.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return p;
  }

  /** Runs work started by a timer; failures go to the `error` event. */
  #fromTimer(op: string, fn: () => Promise<unknown>): void {
    if (this.#closed) return;
    this.#run(fn).catch((error: unknown) => this.events.emit("error", { op, error }));
  }

  /** Resolves when every command and timer-started job so far has finished. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#chain;
  }

  // ───────────── helpers ─────────────

  #queue(id: string): QueueConfig {
    const q = this.#queues.get(id);
    if (!q) throw new AcdError(AcdErrorCode.UnknownQueue, `unknown queue ${id}`, { queueId: id });
    return q;
  }

  #profile(id: string): AgentProfile {
    const p = this.#profiles.get(id);
    if (!p) throw new AcdError(AcdErrorCode.UnknownAgent, `unknown agent ${id}`, { agentId: id });
    return p;
  }

  #day(now: number): string {
    return new Date(now + this.#offset * 60_000).toISOString().slice(0, 10);
  }

  #countersFor(queueId: string): QueueCounters {
    const day = this.#day(this.#clock.now());
    let c = this.#counters.get(queueId);
    if (!c || c.day !== day) {
      c = {
        day,
        answered: 0,
        answeredWithin: 0,
        abandoned: 0,
        arrivals: c?.arrivals ?? [],
        handleTimes: c?.handleTimes ?? [],
      };
      this.#counters.set(queueId, c);
    }
    return c;
  }

  async #agent(agentId: string): Promise<AgentLive> {
    this.#profile(agentId);
    return (
      (await this.#state.getAgent(agentId)) ?? {
        agentId,
        state: AgentState.LoggedOut,
        since: this.#clock.now(),
        idleSince: 0,
        version: -1,
      }
    );
  }

  #clearItemTimers(itemId: string): void {
    const t = this.#itemTimers.get(itemId);
    if (t?.maxWait) this.#clock.clearTimer(t.maxWait);
    if (t?.announce) this.#clock.clearTimer(t.announce);
    this.#itemTimers.delete(itemId);
  }

  #clearAgentTimer(agentId: string): void {
    const t = this.#agentTimers.get(agentId);
    if (t) this.#clock.clearTimer(t.handle);
    this.#agentTimers.delete(agentId);
  }

  /** Maximum wait and announcement timers for a waiting call. */
  #armItemTimers(item: QueueItem): void {
    this.#clearItemTimers(item.id);
    if (item.kind !== "call") return; // callback tasks wait for an agent, no caller is listening
    const q = this.#queue(item.queueId);
    const timers: { maxWait?: TimerHandle; announce?: TimerHandle } = {};
    this.#itemTimers.set(item.id, timers);
    if (q.maxWaitMs > 0 && q.overflow && (item.overflowHops ?? 0) < 3) {
      const left = Math.max(0, item.queuedAt + q.maxWaitMs - this.#clock.now());
      timers.maxWait = this.#clock.setTimer(left, () => {
        delete timers.maxWait;
        this.#fromTimer("max-wait", () => this.#maxWait(item.id));
      });
    }
    if (q.announceIntervalMs > 0) {
      const tick = () => {
        delete timers.announce;
        this.#fromTimer("announce", async () => {
          const pos = await this.#state.position(item.id);
          if (!pos || this.#itemTimers.get(item.id) !== timers) return;
          timers.announce = this.#clock.setTimer(q.announceIntervalMs, tick);
          this.events.emit("call.position", {
            item,
            position: pos.position,
            estimatedWaitMs: await this.#estimate(pos.queueId, pos.position),
            at: this.#clock.now(),
          });
        });
      };
      timers.announce = this.#clock.setTimer(q.announceIntervalMs, tick);
    }
  }

  /** Keeps per-agent time accounts and emits the history row. */
  #afterTransition(prev: AgentLive, next: AgentLive): void {
    const now = next.since;
    this.#staffedCache = undefined;
    let acc = this.#accounts.get(next.agentId);
    if (!acc) {
      acc = {
        byState: zeroStates(),
        notReadyByReason: {},
        callsHandled: 0,
        state: prev.state,
        since: prev.since,
        reason: prev.reason,
      };
      this.#accounts.set(next.agentId, acc);
    }
    // the shared record's `since` is authoritative: another node may have made the last change
    const previousSince = prev.since;
    if (acc.firstLoginAt === undefined) {
      if (prev.state === AgentState.LoggedOut) acc.firstLoginAt = now;
    } else {
      const d = Math.max(0, now - previousSince);
      acc.byState[prev.state] += d;
      if (prev.state === AgentState.NotReady) {
        const r = prev.reason ?? "unspecified";
        acc.notReadyByReason[r] = (acc.notReadyByReason[r] ?? 0) + d;
      }
    }
    acc.state = next.state;
    acc.since = now;
    acc.reason = next.reason;
    if (prev.state !== AgentState.WrapUp || next.state !== AgentState.WrapUp) {
      const t = this.#agentTimers.get(next.agentId);
      if (
        t &&
        ((t.kind === "ring" && next.state !== AgentState.Ringing) ||
          (t.kind === "wrap" && next.state !== AgentState.WrapUp))
      ) {
        this.#clearAgentTimer(next.agentId);
      }
    }
    this.events.emit("agent.state", {
      agentId: next.agentId,
      from: prev.state,
      to: next.state,
      ...(next.reason !== undefined ? { reason: next.reason } : {}),
      ...(next.itemId !== undefined ? { itemId: next.itemId } : {}),
      at: now,
      previousSince,
      version: next.version,
    });
    if (next.state === AgentState.Ready) this.#scheduleDispatch();
  }

  #nextRecord(cur: AgentLive, to: AgentState, reason?: string, itemId?: string): AgentLive {
    const now = this.#clock.now();
    return {
      agentId: cur.agentId,
      state: to,
      ...(reason !== undefined ? { reason } : {}),
      ...(itemId !== undefined ? { itemId } : {}),
      since: now,
      idleSince: to === AgentState.Ready ? now : cur.idleSince,
      version: cur.version + 1,
    };
  }

  /**
   * A state change that keeps the agent's item (or needs none), in one atomic
   * step of the live state. `onlyFrom` narrows the table for commands that only
   * make sense from one state (retrieve: HOLD). Refusals explain themselves with
   * the stable codes.
   */
  async #transition(
    agentId: string,
    to: AgentState,
    reason?: string,
    opts: { expectItem?: string; needsItem?: boolean; onlyFrom?: readonly AgentState[] } = {},
  ): Promise<AgentLive> {
    this.#profile(agentId);
    const from = (opts.onlyFrom ?? ALL_AGENT_STATES).filter((s) => canTransition(s, to));
    const now = this.#clock.now();
    const r = await this.#state.transitionAgent(
      agentId,
      from,
      {
        state: to,
        ...(reason !== undefined ? { reason } : {}),
        keepItem: isCallState(to),
        since: now,
        setIdle: to === AgentState.Ready,
      },
      opts.expectItem,
    );
    if (r.ok) {
      this.#afterTransition(r.prev, r.next);
      return r.next;
    }
    const cur = r.cur ?? { agentId, state: AgentState.LoggedOut, since: now, idleSince: 0, version: -1 };
    const wrongItem = opts.expectItem !== undefined && cur.itemId !== opts.expectItem;
    if (wrongItem || (opts.needsItem && cur.itemId === undefined)) this.#requireItem(cur, opts.expectItem);
    if (from.includes(cur.state) && !isCallState(to) && cur.itemId !== undefined) {
      // leaving a call state always goes through release(); this guards the table
      throw new AcdError(AcdErrorCode.IllegalAgentTransition, `agent ${agentId} still holds ${cur.itemId}`, {
        agentId,
        from: cur.state,
        to,
      });
    }
    return refuse(agentId, cur.state, to);
  }

  /** Releases the agent's item: deleted, or requeued (`requeue`). Returns false when the agent no longer holds it. */
  async #release(
    agentId: string,
    itemId: string,
    allowedFrom: readonly AgentState[],
    to: AgentState,
    reason: string | undefined,
    requeue: (item: QueueItem) => QueueItem | undefined,
    keepIdle = false,
  ): Promise<{ item: QueueItem; prev: AgentLive; next: AgentLive; requeued?: QueueItem } | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.#agent(agentId);
      if (cur.itemId !== itemId || !allowedFrom.includes(cur.state)) return undefined;
      assertTransition(agentId, cur.state, to);
      const item = await this.#state.getItem(itemId);
      if (!item) return undefined;
      const rq = requeue(item);
      const base = this.#nextRecord(cur, to, reason);
      const next = keepIdle ? { ...base, idleSince: cur.idleSince } : base;
      if (await this.#state.release(cur.version, next, itemId, rq)) {
        this.#afterTransition(cur, next);
        return { item, prev: cur, next, ...(rq ? { requeued: rq } : {}) };
      }
    }
    return undefined;
  }

  /**
   * Staffed agents per queue. Reading every agent record is the costly part of an
   * estimate (one HVALS on Redis), so it is cached: dropped on every transition this
   * node makes, and after one second for changes made by other nodes.
   */
  async #staffed(queueId: string): Promise<number> {
    const now = this.#clock.now();
    if (!this.#staffedCache || now - this.#staffedCache.at > 1_000) {
      const counts = new Map<string, number>();
      for (const a of await this.#state.listAgents()) {
        if (a.state === AgentState.LoggedOut || a.state === AgentState.NotReady) continue;
        for (const q of this.#eligible.get(a.agentId)?.keys() ?? []) counts.set(q, (counts.get(q) ?? 0) + 1);
      }
      this.#staffedCache = { at: now, counts };
    }
    return this.#staffedCache.counts.get(queueId) ?? 0;
  }

  async #estimate(queueId: string, position: number): Promise<number> {
    return estimatedWaitMs(position, {
      arrivalRatePerMs: this.#arrivalRate(queueId),
      ahtMs: this.#aht(queueId),
      staffed: await this.#staffed(queueId),
    });
  }

  #aht(queueId: string): number {
    const h = this.#countersFor(queueId).handleTimes;
    return h.length === 0 ? this.#defaultAht : h.reduce((s, x) => s + x, 0) / h.length;
  }

  #arrivalRate(queueId: string): number {
    const now = this.#clock.now();
    const c = this.#countersFor(queueId);
    c.arrivals = c.arrivals.filter((t) => t > now - this.#window);
    return c.arrivals.length / this.#window;
  }

  // ───────────── routing ─────────────

  #scheduleDispatch(): void {
    if (this.#dispatchQueued || this.#closed) return;
    this.#dispatchQueued = true;
    this.#run(() => this.#dispatch()).catch((error: unknown) =>
      this.events.emit("error", { op: "dispatch", error }),
    );
  }

  /**
   * Matches work to agents until nothing matches: the oldest highest-priority item
   * that some READY eligible agent can take goes to the best such agent, by one
   * atomic reservation. A lost race (another node took the item or the agent)
   * just re-reads (each loss means another node made progress); after 20 in a row it retries in 50 ms.
   */
  async #dispatch(): Promise<void> {
    this.#dispatchQueued = false;
    let losses = 0;
    while (!this.#closed) {
      const { match: m, ringAll } = await this.#findMatch();
      if (!m) {
        this.#announceRingAll(ringAll);
        return;
      }
      const reserved = await this.#state.reserve(m.item.id, m.agentId, this.#clock.now());
      if (!reserved) {
        // A lost race means another node just reserved or changed something, so
        // retrying makes progress. Should it keep losing (a state it cannot read
        // right), stop hammering and try again shortly.
        this.#lostRaces++;
        if (++losses >= 20) {
          this.#retryLater();
          return;
        }
        continue;
      }
      this.#reservations++;
      await this.#offer(m.item, m.queue, reserved);
      // No other READY agent could take any of the items looked at: another pass
      // would find nothing (changes since then trigger their own dispatch).
      if (!m.others && !this.#hasRingAll) return;
    }
  }

  /** Rings the head call of each ring-all queue on its READY agents, once per change. */
  #announceRingAll(offers: readonly { queueId: string; item: QueueItem; agentIds: string[] }[]): void {
    if (!this.#hasRingAll) return;
    const now = this.#clock.now();
    const seen = new Set<string>();
    for (const o of offers) {
      seen.add(o.queueId);
      const sig = `${o.item.id}|${o.agentIds.join(",")}`;
      if (this.#ringAllShown.get(o.queueId) === sig) continue;
      this.#ringAllShown.set(o.queueId, sig);
      this.events.emit("call.ringall", { item: o.item, agentIds: o.agentIds, at: now });
    }
    for (const q of [...this.#ringAllShown.keys()]) if (!seen.has(q)) this.#ringAllShown.delete(q);
  }

  #retryLater(): void {
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = this.#clock.setTimer(50, () => {
      this.#retryTimer = undefined;
      this.#scheduleDispatch();
    });
  }

  /** One routing decision, without side effects. */
  async #findMatch(): Promise<{
    match?: { item: QueueItem; agentId: string; queue: QueueConfig; others: boolean };
    ringAll: { queueId: string; item: QueueItem; agentIds: string[] }[];
  }> {
    // One read for the common case: READY agents and the head of every queue.
    const snap = await this.#state.snapshot([...this.#queues.keys()], this.#scanDepth);
    const ready = snap.ready;
    const byQueue = new Map<string, string[]>();
    const ringAllAgents = new Map<string, string[]>();
    for (const r of ready) {
      const el = this.#eligible.get(r.agentId);
      if (!el) continue;
      for (const q of el.keys()) {
        // ring-all queues are not routed by reservation: their agents claim (see announceRingAll)
        const into = this.#queues.get(q)?.strategy === "ring-all" ? ringAllAgents : byQueue;
        const list = into.get(q);
        if (list) list.push(r.agentId);
        else into.set(q, [r.agentId]);
      }
    }
    const ringAll: { queueId: string; item: QueueItem; agentIds: string[] }[] = [];
    for (const [qid, agents] of ringAllAgents) {
      for (const item of snap.heads.get(qid) ?? []) {
        const lang = item.language;
        const cands =
          lang === undefined ? agents : agents.filter((a) => this.#profiles.get(a)?.languages.includes(lang));
        if (cands.length > 0) {
          ringAll.push({ queueId: qid, item, agentIds: cands });
          break;
        }
      }
    }
    if (byQueue.size === 0) return { ringAll };
    // Per queue, the first item some READY eligible agent can take. Usually the head;
    // calls waiting for a language no READY agent speaks are skipped, looking deeper
    // (×4 each round) until a takeable item or the end of the queue is found.
    const firstFit = new Map<string, { item: QueueItem; cands: string[] }>();
    // READY agents able to take some item looked at: tells whether another pass could match anyone else.
    const able = new Set<string>();
    let pending = [...byQueue.keys()];
    for (let depth = this.#scanDepth; pending.length > 0; depth *= 4) {
      const heads =
        depth === this.#scanDepth
          ? new Map(pending.map((q) => [q, snap.heads.get(q) ?? []] as const))
          : await this.#state.peekMany(pending, depth);
      const deeper: string[] = [];
      for (const [qid, items] of heads) {
        const agents = byQueue.get(qid) ?? [];
        let settled = false;
        for (const item of items) {
          if (!this.#dispatchCallbacks && item.kind !== "call" && item.kind !== "consult") continue; // taken by hand (claim)
          const lang = item.language;
          const target = item.targetAgent;
          const cands =
            target !== undefined
              ? agents.filter((a) => a === target)
              : lang === undefined
                ? agents
                : agents.filter((a) => this.#profiles.get(a)?.languages.includes(lang));
          if (cands.length === 0) continue;
          for (const a of cands) able.add(a);
          if (!firstFit.has(qid)) firstFit.set(qid, { item, cands });
          if (lang === undefined && target === undefined) {
            settled = true; // every eligible agent can take this one: nothing deeper matters
            break;
          }
        }
        if (!settled && items.length >= depth) deeper.push(qid);
      }
      pending = deeper;
    }
    let best: { item: QueueItem; cands: string[]; queue: QueueConfig } | undefined;
    for (const [qid, fit] of firstFit) {
      if (!best || compareItems(fit.item, best.item) < 0) best = { ...fit, queue: this.#queue(qid) };
    }
    if (!best) return { ringAll };
    const agentId = this.#pickAgent(best.queue, best.cands);
    return {
      match: { item: best.item, agentId, queue: best.queue, others: able.size > 1 || !able.has(agentId) },
      ringAll,
    };
  }

  /** Chooses among eligible READY agents (given longest idle first). */
  #pickAgent(q: QueueConfig, cands: readonly string[]): string {
    switch (q.strategy) {
      case "skill-level-longest-idle": {
        let best = cands[0]!;
        let score = this.#eligible.get(best)?.get(q.id) ?? 0;
        for (const a of cands) {
          const s = this.#eligible.get(a)?.get(q.id) ?? 0;
          if (s > score) {
            best = a;
            score = s;
          }
        }
        return best;
      }
      case "round-robin": {
        const sorted = [...cands].sort();
        const last = this.#rrLast.get(q.id);
        const next = (last !== undefined ? sorted.find((a) => a > last) : undefined) ?? sorted[0]!;
        this.#rrLast.set(q.id, next);
        return next;
      }
      // (ring-all queues never get here: their agents claim the call)
      default:
        return cands[0]!;
    }
  }

  async #offer(
    item: QueueItem,
    q: QueueConfig,
    r: { prev: AgentLive; next: AgentLive },
    via: "routing" | "claim" = "routing",
  ): Promise<void> {
    const now = this.#clock.now();
    const reserved = r.next;
    this.#clearItemTimers(item.id);
    this.#afterTransition(r.prev, reserved);
    this.events.emit("call.reserved", { item, agentId: reserved.agentId, via, at: now });
    const ringing: AgentLive = { ...reserved, state: AgentState.Ringing, version: reserved.version + 1 };
    if (!(await this.#state.putAgent(reserved.version, ringing))) return; // agent changed meanwhile (logout on another node)
    this.#afterTransition(reserved, ringing);
    const agentId = reserved.agentId;
    this.#clearAgentTimer(agentId);
    this.#agentTimers.set(agentId, {
      kind: "ring",
      itemId: item.id,
      // RFC-free rule, from the issue: ring timeout → call back to its place, agent NOT_READY("no-answer")
      handle: this.#clock.setTimer(q.ringTimeoutMs, () =>
        this.#fromTimer("ring-timeout", () =>
          this.#giveBack(agentId, item.id, AgentState.NotReady, "no-answer"),
        ),
      ),
    });
    this.events.emit("call.offered", { item, agentId, ringTimeoutMs: q.ringTimeoutMs, at: now });
  }

  /** Puts an offered item back at its original place (same seq) and moves the agent on. */
  async #giveBack(agentId: string, itemId: string, to: AgentState, reason: string): Promise<boolean> {
    const r = await this.#release(
      agentId,
      itemId,
      [AgentState.Reserved, AgentState.Ringing],
      to,
      reason,
      (item) => item, // same id, same priority, same seq: back to its original place
    );
    if (!r) return false;
    const why: RequeueReason =
      reason === "no-answer"
        ? "no-answer"
        : reason === "disconnect"
          ? "agent-disconnect"
          : reason === "logout"
            ? "agent-logout"
            : "rejected";
    this.events.emit("call.requeued", { item: r.item, agentId, reason: why, at: this.#clock.now() });
    this.#armItemTimers(r.item);
    this.#scheduleDispatch();
    return true;
  }

  async #maxWait(itemId: string): Promise<void> {
    const item = await this.#state.getItem(itemId);
    if (!item) return;
    const q = this.#queue(item.queueId);
    if (!q.overflow) return;
    await this.#overflow(item, q.overflow, "max-wait", true);
  }

  /** Moves a waiting call to its queue's overflow target. `queued`: it is in the queue now. */
  async #overflow(
    item: QueueItem,
    target: OverflowTarget,
    reason: "max-wait" | "max-size",
    queued: boolean,
  ): Promise<boolean> {
    const now = this.#clock.now();
    let replacement: QueueItem | undefined;
    if (target.kind === "queue") {
      replacement = {
        ...item,
        queueId: target.queueId,
        queuedAt: now,
        overflowHops: (item.overflowHops ?? 0) + 1,
      };
    } else if (target.kind === "callback") {
      replacement = { ...item, id: `cb:${item.id}`, kind: "callback", originCallId: item.id };
    }
    if (queued) {
      if (!(await this.#state.replaceQueued(item.id, replacement))) return false;
    } else if (replacement && !(await this.#state.enqueue(replacement))) {
      return false;
    }
    this.#clearItemTimers(item.id);
    this.events.emit("call.overflowed", { item, target, reason, at: now });
    if (replacement && target.kind === "callback") {
      this.events.emit("callback.created", {
        task: replacement,
        replaces: item.id,
        origin: "overflow",
        at: now,
      });
    }
    if (replacement && target.kind === "queue") {
      const pos = await this.#state.position(replacement.id);
      this.events.emit("call.queued", {
        item: replacement,
        position: pos?.position ?? 0,
        estimatedWaitMs: await this.#estimate(replacement.queueId, pos?.position ?? 1),
        at: now,
      });
      this.#armItemTimers(replacement);
    }
    if (replacement) this.#scheduleDispatch();
    return true;
  }

  #missedTask(item: QueueItem, seq: number): QueueItem {
    const { targetAgent: _agent, ...rest } = item; // anyone may return a missed call
    return {
      ...rest,
      id: `missed:${item.id}`,
      kind: "missed-callback",
      seq,
      queuedAt: this.#clock.now(),
      originCallId: item.id,
    };
  }

  // ───────────── public commands ─────────────

  /** A caller enters a queue (after IVR, lists and calendar were applied by the call session). */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    return this.#run(async () => {
      const q = this.#queue(req.queueId);
      const now = this.#clock.now();
      const item: QueueItem = {
        id: req.callId,
        kind: req.kind ?? "call",
        queueId: q.id,
        number: req.number,
        priority: Math.max(0, Math.min(9, Math.trunc(req.priority ?? 0))),
        seq: await this.#state.nextSeq(),
        arrivedAt: now,
        queuedAt: now,
        ...(req.language !== undefined ? { language: req.language } : {}),
        ...(req.whitelisted ? { whitelisted: true } : {}),
        ...(req.data !== undefined ? { data: req.data } : {}),
        ...(req.targetAgent !== undefined ? { targetAgent: req.targetAgent } : {}),
      };
      const consult = item.kind === "consult";
      if (!consult) this.#countersFor(q.id).arrivals.push(now);
      if (
        !consult &&
        q.maxSize > 0 &&
        !item.whitelisted &&
        (await this.#state.queueLength(q.id)) >= q.maxSize
      ) {
        if (q.overflow && (await this.#overflow(item, q.overflow, "max-size", false))) {
          return { status: "overflowed", target: q.overflow };
        }
        this.events.emit("call.rejected", { callId: item.id, queueId: q.id, reason: "queue-full", at: now });
        return { status: "rejected", reason: "queue-full" };
      }
      if (!(await this.#state.enqueue(item))) {
        throw new AcdError(AcdErrorCode.DuplicateCall, `call ${req.callId} is already live`, {
          callId: req.callId,
        });
      }
      const pos = (await this.#state.position(item.id))?.position ?? 1;
      const estimatedWaitMs = await this.#estimate(q.id, pos);
      this.events.emit("call.queued", { item, position: pos, estimatedWaitMs, at: now });
      this.#armItemTimers(item);
      this.#scheduleDispatch();
      return { status: "queued", position: pos, estimatedWaitMs };
    });
  }

  login(agentId: string): Promise<AgentLive> {
    return this.#run(async () => {
      const cur = await this.#agent(agentId);
      // NOT_READY → NOT_READY is a reason change, not a second login
      if (cur.state !== AgentState.LoggedOut) refuse(agentId, cur.state, AgentState.NotReady);
      const next = this.#nextRecord(cur, AgentState.NotReady, "login");
      if (!(await this.#state.putAgent(cur.version, next))) {
        throw new AcdError(AcdErrorCode.IllegalAgentTransition, `agent ${agentId} changed concurrently`, {
          agentId,
        });
      }
      this.#afterTransition(cur, next);
      return next;
    });
  }

  /** Agent is ready for calls (also ends wrap-up). */
  setReady(agentId: string): Promise<AgentLive> {
    return this.#run(() => this.#transition(agentId, AgentState.Ready));
  }

  setNotReady(agentId: string, reason: string): Promise<AgentLive> {
    return this.#run(() => this.#transition(agentId, AgentState.NotReady, reason));
  }

  endWrapUp(agentId: string): Promise<AgentLive> {
    return this.#run(() =>
      this.#transition(agentId, AgentState.Ready, undefined, { onlyFrom: [AgentState.WrapUp] }),
    );
  }

  /** Extends after-call work by `ms` from now. */
  extendWrapUp(agentId: string, ms: number): Promise<void> {
    return this.#run(async () => {
      const cur = await this.#agent(agentId);
      if (cur.state !== AgentState.WrapUp) refuse(agentId, cur.state, AgentState.WrapUp);
      this.#armWrap(agentId, ms);
    });
  }

  /** Arms (or re-arms) the end of after-call work and says when it ends, for the desk's countdown. */
  #armWrap(agentId: string, ms: number): void {
    this.#clearAgentTimer(agentId);
    this.events.emit("agent.wrapup", { agentId, untilMs: this.#clock.now() + ms, at: this.#clock.now() });
    this.#agentTimers.set(agentId, {
      kind: "wrap",
      handle: this.#clock.setTimer(ms, () =>
        this.#fromTimer("wrap-up-end", async () => {
          const cur = await this.#state.getAgent(agentId);
          if (cur?.state !== AgentState.WrapUp) return;
          // lost a race with the agent (ended or changed wrap-up meanwhile): nothing to do
          await this.#transition(agentId, AgentState.Ready, undefined, {
            onlyFrom: [AgentState.WrapUp],
          }).catch((err: unknown) => {
            if (!(err instanceof AcdError)) throw err;
          });
        }),
      ),
    });
  }

  #requireItem(cur: AgentLive, itemId: string | undefined): string {
    if (cur.itemId === undefined || (itemId !== undefined && cur.itemId !== itemId)) {
      throw new AcdError(
        AcdErrorCode.NotAgentsCall,
        `agent ${cur.agentId} does not hold ${itemId ?? "a call"}`,
        {
          agentId: cur.agentId,
          itemId,
        },
      );
    }
    return cur.itemId;
  }

  /** The agent answered the offered call (or the callee of a callback answered). */
  answered(agentId: string, itemId?: string): Promise<AgentLive> {
    return this.#run(async () => {
      const next = await this.#transition(agentId, AgentState.OnCall, undefined, {
        onlyFrom: [AgentState.Ringing],
        needsItem: true,
        ...(itemId !== undefined ? { expectItem: itemId } : {}),
      });
      const id = next.itemId!;
      const item = await this.#state.getItem(id);
      if (item) {
        const now = this.#clock.now();
        const q = this.#queue(item.queueId);
        const waitMs = now - item.arrivedAt;
        const within = waitMs <= q.serviceLevelMs;
        if (countsAsAnswer(item)) {
          const c = this.#countersFor(q.id);
          c.answered++;
          if (within) c.answeredWithin++;
        }
        this.#answeredAt.set(id, now);
        this.events.emit("call.answered", { item, agentId, waitMs, withinServiceLevel: within, at: now });
      }
      return next;
    });
  }

  hold(agentId: string): Promise<AgentLive> {
    return this.#run(() => this.#transition(agentId, AgentState.Hold));
  }

  retrieve(agentId: string): Promise<AgentLive> {
    return this.#run(() =>
      this.#transition(agentId, AgentState.OnCall, undefined, { onlyFrom: [AgentState.Hold] }),
    );
  }

  /** The agent refused the offer (declined on the softphone): same as a ring timeout. */
  reject(agentId: string, itemId: string): Promise<boolean> {
    return this.#run(() => this.#giveBack(agentId, itemId, AgentState.NotReady, "no-answer"));
  }

  /** The call ended while connected to the agent; the agent enters wrap-up. */
  hangup(agentId: string, itemId?: string): Promise<boolean> {
    return this.#run(async () => {
      const cur = await this.#agent(agentId);
      const id = this.#requireItem(cur, itemId);
      return await this.#endCall(agentId, id, "hangup");
    });
  }

  async #endCall(agentId: string, itemId: string, reason: EndReason): Promise<boolean> {
    const cur = await this.#agent(agentId);
    if (cur.state !== AgentState.OnCall && cur.state !== AgentState.Hold) {
      assertTransition(agentId, cur.state, AgentState.WrapUp);
    }
    const r = await this.#release(
      agentId,
      itemId,
      [AgentState.OnCall, AgentState.Hold],
      AgentState.WrapUp,
      undefined,
      () => undefined,
    );
    if (!r) return false;
    const now = this.#clock.now();
    const q = this.#queues.get(r.item.queueId);
    const answeredAt = this.#answeredAt.get(itemId);
    this.#answeredAt.delete(itemId);
    if (q && answeredAt !== undefined) {
      const c = this.#countersFor(q.id);
      c.handleTimes.push(now - answeredAt + q.wrapUpMs);
      if (c.handleTimes.length > 100) c.handleTimes.shift();
    }
    const acc = this.#accounts.get(agentId);
    if (acc) acc.callsHandled++;
    this.events.emit("call.ended", { item: r.item, agentId, reason, at: now });
    this.#armWrap(agentId, q?.wrapUpMs ?? 0);
    return true;
  }

  /**
   * The agent logs out or their connection is lost. A call that was reserved or
   * ringing goes back to its original place; a connected call ends for the agent.
   */
  logout(agentId: string, reason: LogoutReason = "logout"): Promise<AgentLive> {
    return this.#run(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await this.#agent(agentId);
        if (cur.state === AgentState.LoggedOut) return cur;
        if (cur.itemId !== undefined) {
          if (cur.state === AgentState.Reserved || cur.state === AgentState.Ringing) {
            await this.#giveBack(agentId, cur.itemId, AgentState.LoggedOut, reason);
          } else {
            const r = await this.#release(
              agentId,
              cur.itemId,
              [AgentState.OnCall, AgentState.Hold],
              AgentState.LoggedOut,
              reason,
              () => undefined,
            );
            if (r) {
              this.#answeredAt.delete(r.item.id);
              this.events.emit("call.ended", {
                item: r.item,
                agentId,
                reason: reason === "logout" ? "agent-logout" : "agent-disconnect",
                at: this.#clock.now(),
              });
            }
          }
        } else {
          const next = this.#nextRecord(cur, AgentState.LoggedOut, reason);
          if (await this.#state.putAgent(cur.version, next)) this.#afterTransition(cur, next);
        }
        const after = await this.#agent(agentId);
        if (after.state === AgentState.LoggedOut) {
          this.#clearAgentTimer(agentId);
          return after;
        }
      }
      throw new AcdError(AcdErrorCode.IllegalAgentTransition, `agent ${agentId} changed concurrently`, {
        agentId,
      });
    });
  }

  /**
   * The caller hung up. Waiting or being offered: the call is abandoned and
   * becomes a missed-call callback task. Connected: the agent enters wrap-up.
   * Returns false when the call is not live here (idempotent).
   */
  abandon(callId: string): Promise<boolean> {
    return this.#run(async () => {
      const now = this.#clock.now();
      const queued = await this.#state.getItem(callId);
      if (queued?.kind !== "call") return false;
      const task = this.#missedTask(queued, await this.#state.nextSeq());
      const removed = await this.#state.replaceQueued(callId, task);
      if (removed) {
        this.#clearItemTimers(callId);
        this.#countersFor(removed.queueId).abandoned++;
        this.events.emit("call.abandoned", {
          item: removed,
          stage: "queued",
          waitMs: now - removed.arrivedAt,
          at: now,
        });
        this.events.emit("callback.created", { task, replaces: callId, origin: "missed", at: now });
        this.#scheduleDispatch();
        return true;
      }
      const agentId = await this.#state.holder(callId);
      if (agentId === undefined) return false;
      const cur = await this.#agent(agentId);
      if (cur.state === AgentState.OnCall || cur.state === AgentState.Hold) {
        return await this.#endCall(agentId, callId, "caller-hangup");
      }
      // offered but not answered: not the agent's fault, so they stay READY and keep their idle rank
      const r = await this.#release(
        agentId,
        callId,
        [AgentState.Reserved, AgentState.Ringing],
        AgentState.Ready,
        undefined,
        () => task,
        true,
      );
      if (!r) return false;
      this.#countersFor(r.item.queueId).abandoned++;
      this.events.emit("call.abandoned", {
        item: r.item,
        stage: "offered",
        waitMs: now - r.item.arrivedAt,
        at: now,
      });
      this.events.emit("callback.created", { task, replaces: callId, origin: "missed", at: now });
      return true;
    });
  }

  /**
   * Takes a consult (or a targeted transfer) back: waiting → removed; offered → the agent goes
   * back to READY keeping their idle rank (not their fault); answered → the agent wraps up.
   * Returns false when the item is not live (idempotent).
   */
  withdraw(itemId: string): Promise<boolean> {
    return this.#run(async () => {
      if (await this.#state.replaceQueued(itemId)) {
        this.#clearItemTimers(itemId);
        return true;
      }
      const agentId = await this.#state.holder(itemId);
      if (agentId === undefined) return false;
      const cur = await this.#agent(agentId);
      if (cur.state === AgentState.OnCall || cur.state === AgentState.Hold) {
        return await this.#endCall(agentId, itemId, "hangup");
      }
      this.#clearAgentTimer(agentId);
      const r = await this.#release(
        agentId,
        itemId,
        [AgentState.Reserved, AgentState.Ringing],
        AgentState.Ready,
        undefined,
        () => undefined,
        true,
      );
      if (r) this.#scheduleDispatch();
      return r !== undefined;
    });
  }

  /** Queues the agent serves, best skill level first (to route a transfer to that agent). */
  queuesOf(agentId: string): string[] {
    return [...(this.#eligible.get(agentId) ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([q]) => q);
  }

  /** The caller leaves the queue but keeps their place: a callback task takes it. */
  requestCallback(callId: string): Promise<QueueItem | undefined> {
    return this.#run(async () => {
      const item = await this.#state.getItem(callId);
      if (item?.kind !== "call") return undefined;
      const task: QueueItem = { ...item, id: `cb:${callId}`, kind: "callback", originCallId: callId };
      if (!(await this.#state.replaceQueued(callId, task))) return undefined;
      this.#clearItemTimers(callId);
      this.events.emit("callback.created", {
        task,
        replaces: callId,
        origin: "request",
        at: this.#clock.now(),
      });
      return task;
    });
  }

  /**
   * Blind transfer of the agent's connected call to another queue (or, with `targetAgent`, to
   * one agent through a queue they serve); the agent enters wrap-up. `data` replaces the
   * attached data the next agent sees.
   */
  transfer(
    agentId: string,
    itemId: string,
    toQueueId: string,
    opts: { targetAgent?: string; data?: Readonly<Record<string, string>> } = {},
  ): Promise<boolean> {
    return this.#run(async () => {
      const target = this.#queue(toQueueId);
      const cur = await this.#agent(agentId);
      this.#requireItem(cur, itemId);
      const now = this.#clock.now();
      // The caller keeps their original arrival (seq): they have waited longest already.
      const r = await this.#release(
        agentId,
        itemId,
        [AgentState.OnCall, AgentState.Hold],
        AgentState.WrapUp,
        undefined,
        (item) => {
          const { targetAgent: _previous, ...rest } = item;
          return {
            ...rest,
            kind: "call",
            queueId: target.id,
            queuedAt: now,
            transferredBy: agentId,
            ...(opts.targetAgent !== undefined ? { targetAgent: opts.targetAgent } : {}),
            ...(opts.data !== undefined ? { data: opts.data } : {}),
          };
        },
      );
      if (!r?.requeued) return false;
      this.#answeredAt.delete(itemId);
      const acc = this.#accounts.get(agentId);
      if (acc) acc.callsHandled++;
      this.events.emit("call.transferred", { item: r.requeued, fromAgentId: agentId, toQueueId, at: now });
      const pos = (await this.#state.position(itemId))?.position ?? 1;
      this.events.emit("call.queued", {
        item: r.requeued,
        position: pos,
        estimatedWaitMs: await this.#estimate(toQueueId, pos),
        at: now,
      });
      this.#armItemTimers(r.requeued);
      this.#armWrap(agentId, this.#queues.get(r.item.queueId)?.wrapUpMs ?? 0);
      this.#scheduleDispatch();
      return true;
    });
  }

  /**
   * An agent takes a specific waiting item out of order (e.g. works a callback
   * task by hand). From NOT_READY the agent passes through READY for an instant;
   * the reservation is the same atomic step routing uses, so false means someone
   * else got the item (or the agent) first.
   */
  claim(agentId: string, itemId: string): Promise<boolean> {
    return this.#run(async () => {
      const item = await this.#state.getItem(itemId);
      if (!item) throw new AcdError(AcdErrorCode.UnknownCall, `no waiting item ${itemId}`, { itemId });
      if (!this.#eligible.get(agentId)?.has(item.queueId)) {
        throw new AcdError(
          AcdErrorCode.NotAgentsCall,
          `agent ${agentId} is not eligible for ${item.queueId}`,
          {
            agentId,
            itemId,
          },
        );
      }
      const cur = await this.#agent(agentId);
      if (cur.state === AgentState.NotReady) await this.#transition(agentId, AgentState.Ready);
      else if (cur.state !== AgentState.Ready) refuse(agentId, cur.state, AgentState.Reserved);
      const reserved = await this.#state.reserve(itemId, agentId, this.#clock.now());
      if (!reserved) return false;
      await this.#offer(item, this.#queue(item.queueId), reserved, "claim");
      if (this.#hasRingAll) this.#scheduleDispatch(); // a ring-all head moved on: ring the next call
      return true;
    });
  }

  /**
   * Runs a routing round now. Routing already follows every change this node
   * makes; a server with several nodes calls this when another node signals new
   * work (e.g. over Redis pub/sub), or just to be safe after a reconnect.
   */
  kick(): void {
    this.#scheduleDispatch();
  }

  /**
   * Takes back offers whose ring timeout passed more than the grace period ago
   * and that no timer handled — their node died, or its timer was lost. Safe to
   * run on every node: the give-back is a compare-and-set, one node wins.
   * Returns the items given back.
   */
  sweep(): Promise<string[]> {
    return this.#run(() => this.#sweep());
  }

  async #sweep(): Promise<string[]> {
    const now = this.#clock.now();
    const back: string[] = [];
    for (const a of await this.#state.listAgents()) {
      if ((a.state !== AgentState.Reserved && a.state !== AgentState.Ringing) || a.itemId === undefined)
        continue;
      const item = await this.#state.getItem(a.itemId);
      const q = item && this.#queues.get(item.queueId);
      if (!q || now - a.since <= q.ringTimeoutMs + this.#sweepGrace) continue;
      if (await this.#giveBack(a.agentId, a.itemId, AgentState.NotReady, "no-answer")) back.push(a.itemId);
    }
    return back;
  }

  // ───────────── queries ─────────────

  /** Items waiting in a queue, in service order (callback tasks for the desk's list). */
  waiting(queueId: string, limit = 200): Promise<QueueItem[]> {
    this.#queue(queueId);
    return this.#state.peek(queueId, limit);
  }

  /** Position and estimated wait of a waiting call, for announcements. */
  async position(
    callId: string,
  ): Promise<{ queueId: string; position: number; estimatedWaitMs: number } | undefined> {
    const pos = await this.#state.position(callId);
    if (!pos) return undefined;
    return { ...pos, estimatedWaitMs: await this.#estimate(pos.queueId, pos.position) };
  }

  agent(agentId: string): Promise<AgentLive> {
    return this.#agent(agentId);
  }

  /** Agent time per state and not-ready reason, as seen by this node. */
  agentStats(agentId: string): AgentStats {
    this.#profile(agentId);
    const acc = this.#accounts.get(agentId);
    const byState = { ...(acc?.byState ?? zeroStates()) };
    const notReadyByReason = { ...(acc?.notReadyByReason ?? {}) };
    if (acc && acc.firstLoginAt !== undefined) {
      const d = this.#clock.now() - acc.since;
      byState[acc.state] += d;
      if (acc.state === AgentState.NotReady) {
        const r = acc.reason ?? "unspecified";
        notReadyByReason[r] = (notReadyByReason[r] ?? 0) + d;
      }
    }
    return {
      agentId,
      callsHandled: acc?.callsHandled ?? 0,
      byState,
      notReadyByReason,
      ...(acc?.firstLoginAt !== undefined ? { firstLoginAt: acc.firstLoginAt } : {}),
    };
  }

  async queueStats(queueId: string): Promise<QueueStats> {
    const q = this.#queue(queueId);
    const now = this.#clock.now();
    const waiting = await this.#state.queueLength(q.id);
    const items = await this.#state.peek(q.id, waiting);
    let oldest = now;
    for (const i of items) if (i.kind === "call" && i.arrivedAt < oldest) oldest = i.arrivedAt;
    const agents = zeroStates();
    let staffed = 0;
    for (const a of await this.#state.listAgents()) {
      if (!this.#eligible.get(a.agentId)?.has(q.id)) continue;
      agents[a.state]++;
      if (a.state !== AgentState.LoggedOut && a.state !== AgentState.NotReady) staffed++;
    }
    const c = this.#countersFor(q.id);
    const offered = c.answered + c.abandoned;
    const ahtMs = this.#aht(q.id);
    return {
      queueId: q.id,
      waiting,
      longestWaitMs: now - oldest,
      agents,
      answeredToday: c.answered,
      abandonedToday: c.abandoned,
      serviceLevelToday: offered === 0 ? 1 : c.answeredWithin / offered,
      ahtMs,
      asaMs: erlangCAsaMs({ arrivalRatePerMs: this.#arrivalRate(q.id), ahtMs, staffed }),
    };
  }

  /** Reservations this node made, and the ones it lost to another node's decision (a metric). */
  get routingCounters(): { readonly reservations: number; readonly lostRaces: number } {
    return { reservations: this.#reservations, lostRaces: this.#lostRaces };
  }

  /** Number of armed timers owned by this ACD (tests assert no leaks). */
  get timerCount(): number {
    let n = this.#agentTimers.size + (this.#retryTimer ? 1 : 0) + (this.#sweepTimer ? 1 : 0);
    for (const t of this.#itemTimers.values()) n += (t.maxWait ? 1 : 0) + (t.announce ? 1 : 0);
    return n;
  }

  /** Stops timers and refuses further commands. Idempotent. Does not close the LiveState. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.idle();
    this.#closed = true;
    for (const id of [...this.#itemTimers.keys()]) this.#clearItemTimers(id);
    for (const id of [...this.#agentTimers.keys()]) this.#clearAgentTimer(id);
    if (this.#retryTimer) this.#clock.clearTimer(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#sweepTimer) this.#clock.clearTimer(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.events.removeAllListeners();
  }
}
