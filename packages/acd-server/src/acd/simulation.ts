/**
 * A simulated hotline day in fake time, for property tests: agents on shifts,
 * Poisson arrivals with a morning peak, no-answers, disconnects, abandons,
 * callback requests, priority callers, holds and transfers. After every step
 * (every timer that fires) it checks the ACD's invariants against live state and
 * the event stream, and throws {@link InvariantViolation} on the first breach.
 */
import { Acd, type AcdEvents } from "./acd.js";
import { CALL_STATES } from "./agent-state.js";
import { FakeClock } from "./clock.js";
import { AcdError, AcdErrorCode } from "./errors.js";
import { compareItems, type LiveState } from "./live-state.js";
import { type AgentProfile, type QueueConfig, type QueueItem, queueConfig } from "./types.js";

export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

export interface SimOptions {
  readonly seed: number;
  readonly state: LiveState;
  readonly agents?: number;
  /** Simulated span from 00:00 local, ms (a day by default). */
  readonly durationMs?: number;
  /** Start of the span, hours after midnight (the Redis run starts before the morning peak). */
  readonly startHour?: number;
  /** Multiplies the arrival rate (fewer steps for slow stores). */
  readonly load?: number;
  /**
   * More handles on the same shared state, one more ACD node each. Agents' commands
   * go to their home node, callers' to a random node, and after every step every
   * node is kicked at once so their routing rounds race on the shared state.
   */
  readonly moreNodes?: readonly LiveState[];
}

export interface SimReport {
  readonly steps: number;
  /** Steps that changed live state, each followed by the full invariant check. */
  readonly checked: number;
  readonly calls: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly requeued: number;
  readonly overflowed: number;
  readonly transferred: number;
  readonly callbacks: number;
  /** Reservations made by claims (ring-all pick-ups and hand-worked tasks). */
  readonly claimed: number;
  readonly maxWaiting: number;
  /** Offers made by each node (several nodes: all of them must route). */
  readonly offersByNode: readonly number[];
}

/** mulberry32: small, fast, good enough for simulation. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const MIN = 60_000;

/** Calls per ms at local hour-of-day h: a night floor, a morning peak around 09:30, a smaller one at 14:30. */
function arrivalRate(h: number): number {
  const perMin = 1 + 14 * Math.exp(-((h - 9.5) ** 2) / 2) + 8 * Math.exp(-((h - 14.5) ** 2) / 3);
  return perMin / MIN;
}
const MAX_RATE = 16 / MIN;

type Logged = { [K in keyof AcdEvents]: { type: K; payload: AcdEvents[K]; index: number } }[keyof AcdEvents];

export async function simulate(opts: SimOptions): Promise<SimReport> {
  const rnd = prng(opts.seed);
  const exp = (mean: number) => -Math.log(1 - rnd()) * mean;
  const nAgents = opts.agents ?? 60;
  const day0 = Date.parse("2026-03-02T00:00:00+08:00");
  const start = day0 + (opts.startHour ?? 0) * HOUR;
  const end = start + (opts.durationMs ?? 24 * HOUR);
  const load = opts.load ?? 1;
  const clock = new FakeClock(start);

  const queues: QueueConfig[] = [
    queueConfig({
      id: "general",
      ringTimeoutMs: 20_000,
      maxWaitMs: 10 * MIN,
      maxSize: 150,
      overflow: { kind: "callback" },
      announceIntervalMs: 60_000,
      wrapUpMs: 15_000,
    }),
    queueConfig({
      id: "tax",
      requiredSkills: { tax: 3 },
      strategy: "skill-level-longest-idle",
      ringTimeoutMs: 15_000,
      maxWaitMs: 4 * MIN,
      overflow: { kind: "queue", queueId: "general" },
      wrapUpMs: 20_000,
    }),
    queueConfig({
      id: "complaints",
      requiredSkills: { complaints: 1 },
      strategy: "round-robin",
      maxSize: 20,
      overflow: { kind: "voicemail", mailbox: "complaints" },
      wrapUpMs: 30_000,
    }),
    // a small sign-language team: ring-all, the first agent to pick up claims the call
    queueConfig({
      id: "sign",
      requiredSkills: { sign: 1 },
      strategy: "ring-all",
      maxWaitMs: 5 * MIN,
      overflow: { kind: "callback" },
      wrapUpMs: 10_000,
    }),
  ];
  const profiles: AgentProfile[] = Array.from({ length: nAgents }, (_, i) => ({
    id: `a${String(i).padStart(3, "0")}`,
    skills: {
      ...(rnd() < 0.35 ? { tax: 1 + Math.floor(rnd() * 10) } : {}),
      ...(rnd() < 0.25 ? { complaints: 1 + Math.floor(rnd() * 10) } : {}),
      ...(rnd() < 0.1 ? { sign: 1 + Math.floor(rnd() * 10) } : {}),
    },
    languages: rnd() < 0.2 ? ["zh", "en"] : ["zh"],
  }));
  const profileById = new Map(profiles.map((p) => [p.id, p]));
  const queueById = new Map(queues.map((q) => [q.id, q]));
  const eligible = (agentId: string, item: QueueItem): boolean => {
    const p = profileById.get(agentId);
    const q = queueById.get(item.queueId);
    if (!p || !q) return false;
    for (const [s, min] of Object.entries(q.requiredSkills)) if ((p.skills[s] ?? 0) < min) return false;
    return item.language === undefined || p.languages.includes(item.language);
  };

  const acds = [opts.state, ...(opts.moreNodes ?? [])].map(
    (state) => new Acd({ state, clock, queues, agents: profiles }),
  );
  const multi = acds.length > 1;
  const acd = acds[0]!;
  const homeIndex = new Map(profiles.map((p, i) => [p.id, i % acds.length]));
  /** The node an agent's softphone is connected to. */
  const home = (agentId: string) => acds[homeIndex.get(agentId) ?? 0]!;
  const anyNode = () => acds[Math.floor(rnd() * acds.length)]!;
  const fail = (msg: string): never => {
    throw new InvariantViolation(`seed ${opts.seed} t=${((clock.now() - day0) / HOUR).toFixed(3)}h: ${msg}`);
  };

  // ── event log and the model of which items are live ──
  let index = 0;
  let stepEvents: Logged[] = [];
  const errors: unknown[] = [];
  /** itemId → event index when it last entered a queue. */
  const queuedAt = new Map<string, number>();
  /** Items that must be somewhere (a queue or an agent). */
  const open = new Set<string>();
  const answered = new Set<string>();
  const counts = {
    calls: 0,
    answered: 0,
    abandoned: 0,
    requeued: 0,
    overflowed: 0,
    transferred: 0,
    callbacks: 0,
    claimed: 0,
  };

  // Every event is logged once, with a global index, before any behaviour sees it.
  const logged: (keyof AcdEvents)[] = [
    "agent.state",
    "call.queued",
    "call.reserved",
    "call.offered",
    "call.ringall",
    "call.answered",
    "call.requeued",
    "call.ended",
    "call.abandoned",
    "call.overflowed",
    "call.transferred",
    "callback.created",
    "error",
  ];
  const offersByNode = acds.map(() => 0);
  acds.forEach((node, n) => {
    node.events.on("call.offered", () => offersByNode[n]!++);
  });
  for (const node of acds) {
    for (const type of logged) {
      node.events.on(type, (p) => {
        stepEvents.push({ type, payload: p, index: index++ } as Logged);
      });
    }
  }
  /** Listens on every node; `i` is the event's index in the log. */
  const on = <K extends keyof AcdEvents>(type: K, fn: (p: AcdEvents[K], i: number) => void) => {
    for (const node of acds) node.events.on(type, (p) => fn(p, index - 1));
  };
  on("error", (e) => errors.push(e.error));
  /** itemId → arrival number it was first queued with: a requeue must keep it. */
  const seqOf = new Map<string, number>();
  on("call.queued", (e, i) => {
    open.add(e.item.id);
    if (!seqOf.has(e.item.id)) seqOf.set(e.item.id, e.item.seq);
    queuedAt.set(e.item.id, i);
  });
  on("call.requeued", (e, i) => {
    counts.requeued++;
    queuedAt.set(e.item.id, i);
  });
  on("callback.created", (e, i) => {
    counts.callbacks++;
    open.delete(e.replaces);
    open.add(e.task.id);
    queuedAt.set(e.task.id, i);
  });
  on("call.abandoned", (e) => {
    counts.abandoned++;
    open.delete(e.item.id);
  });
  on("call.overflowed", (e) => {
    counts.overflowed++;
    if (e.target.kind === "voicemail") open.delete(e.item.id);
  });
  on("call.ended", (e) => {
    open.delete(e.item.id);
    answered.delete(e.item.id);
  });
  on("call.transferred", () => counts.transferred++);
  on("call.reserved", (e) => {
    if (e.via === "claim") counts.claimed++;
  });
  /** Per agent: the last history row seen, and time per state summed from the rows. */
  const history = new Map<
    string,
    { to: string; at: number; version: number; first: number; total: number }
  >();

  /** Commands from simulated people may be stale (the world moved on); those errors are expected. */
  // Everything a simulated person starts is tracked, so a step ends only when all of it
  // (and the work it caused) is done: no command may straddle a step or outlive the run.
  const inflight = new Set<Promise<unknown>>();
  const stale = (p: Promise<unknown>): Promise<void> => {
    const tracked = p.then(
      () => {},
      (err: unknown) => {
        if (
          err instanceof AcdError &&
          (err.code === AcdErrorCode.IllegalAgentTransition ||
            err.code === AcdErrorCode.NotAgentsCall ||
            err.code === AcdErrorCode.UnknownCall)
        ) {
          return;
        }
        errors.push(err);
      },
    );
    inflight.add(tracked);
    void tracked.finally(() => inflight.delete(tracked));
    return tracked;
  };
  // whole milliseconds, like Date.now(): agent time accounts must add up exactly
  const later = (ms: number, fn: () => void) => {
    const d = Math.round(ms);
    if (clock.now() + d < end) clock.setTimer(d, fn);
  };

  // ── callers ──
  let callNo = 0;
  const scheduleArrival = () => {
    later(exp(1 / (MAX_RATE * load)), () => {
      scheduleArrival();
      const h = (clock.now() - day0) / HOUR;
      if (rnd() * MAX_RATE > arrivalRate(h % 24)) return; // thinning: non-homogeneous Poisson
      const callId = `call${++callNo}`;
      counts.calls++;
      const u = rnd();
      const queueId = u < 0.74 ? "general" : u < 0.92 ? "tax" : u < 0.97 ? "complaints" : "sign";
      const english = queueId === "general" && rnd() < 0.05;
      void stale(
        anyNode().enqueue({
          callId,
          queueId,
          number: `138${String(Math.floor(rnd() * 1e8)).padStart(8, "0")}`,
          priority: rnd() < 0.05 ? 5 + Math.floor(rnd() * 5) : 0,
          ...(english ? { language: "en" } : {}),
        }),
      );
      // patience: the caller hangs up if not answered by then
      later(exp(150_000), () => {
        if (!answered.has(callId) && open.has(callId)) void stale(anyNode().abandon(callId));
      });
      if (rnd() < 0.03) {
        later(45_000, () => {
          if (open.has(callId) && !answered.has(callId)) void stale(anyNode().requestCallback(callId));
        });
      }
    });
  };
  scheduleArrival();

  // ── agents ──
  const busyUntilIdle = new Set<string>();
  const startShift = (id: string) => {
    void stale(
      home(id)
        .login(id)
        .then(() => home(id).setReady(id)),
    );
  };
  profiles.forEach((p, i) => {
    // a night crew of 8 works around the clock; the rest come in for the day shift
    if (i < 8) later(rnd() * 5 * MIN, () => startShift(p.id));
    else {
      const shiftStart = day0 + (7.5 + rnd()) * HOUR;
      const shiftEnd = day0 + (17 + rnd() * 2) * HOUR;
      later(Math.max(0, shiftStart - clock.now()), () => startShift(p.id));
      const tryLogout = () => {
        void stale(
          home(p.id)
            .agent(p.id)
            .then((a) => {
              if (CALL_STATES.has(a.state)) later(MIN, tryLogout);
              else return stale(home(p.id).logout(p.id));
            }),
        );
      };
      later(Math.max(0, shiftEnd - clock.now()), tryLogout);
    }
  });

  on("call.offered", (e) => {
    const { agentId, item } = e;
    const u = rnd();
    if (u < 0.06) return; // no answer: the ring timeout must bring the call back
    if (u < 0.075) {
      // the softphone's connection drops while ringing, the agent comes back later
      later(2_000, () => void stale(home(agentId).logout(agentId, "disconnect")));
      later(2_000 + exp(5 * MIN), () => startShift(agentId));
      return;
    }
    if (u < 0.085) {
      later(3_000, () => void stale(home(agentId).reject(agentId, item.id))); // declined on the softphone
      return;
    }
    later(1_000 + rnd() * 6_000, () => void stale(home(agentId).answered(agentId, item.id)));
  });
  // ring-all: one of the rung agents picks up (sometimes two at once: one must lose)
  on("call.ringall", (e) => {
    const pick = e.agentIds[Math.floor(rnd() * e.agentIds.length)]!;
    later(1_000 + rnd() * 5_000, () => void stale(home(pick).claim(pick, e.item.id)));
    if (e.agentIds.length > 1 && rnd() < 0.3) {
      const other = e.agentIds.find((a) => a !== pick)!;
      later(1_000 + rnd() * 5_000, () => void stale(home(other).claim(other, e.item.id)));
    }
  });
  // now and then an agent works a callback task by hand, out of order
  on("callback.created", (e) => {
    if (rnd() >= 0.2) return;
    const agentId = profiles[Math.floor(rnd() * profiles.length)]!.id;
    later(10_000, () => void stale(home(agentId).claim(agentId, e.task.id)));
  });
  on("call.answered", (e) => {
    const { agentId, item } = e;
    counts.answered++;
    answered.add(item.id);
    const talk = 10_000 + exp(140_000);
    if (rnd() < 0.15) {
      later(talk / 2, () => void stale(home(agentId).hold(agentId)));
      later(talk / 2 + 20_000, () => void stale(home(agentId).retrieve(agentId)));
    }
    const done = talk + 25_000;
    if (item.kind === "call" && rnd() < 0.04) {
      const to = item.queueId === "tax" ? "general" : "tax";
      later(done, () => {
        answered.delete(item.id);
        void stale(home(agentId).transfer(agentId, item.id, to));
      });
    } else if (rnd() < 0.01) {
      later(done, () => void stale(home(agentId).logout(agentId, "disconnect")));
      later(done + exp(3 * MIN), () => startShift(agentId));
    } else {
      later(done, () => void stale(home(agentId).hangup(agentId, item.id)));
    }
  });
  on("agent.state", (e) => {
    if (e.to === "WRAP_UP" && rnd() < 0.05 && !busyUntilIdle.has(e.agentId)) {
      busyUntilIdle.add(e.agentId);
      later(5_000, () => void stale(home(e.agentId).setNotReady(e.agentId, rnd() < 0.5 ? "break" : "meal")));
      later(5_000 + exp(10 * MIN), () => {
        busyUntilIdle.delete(e.agentId);
        void stale(home(e.agentId).setReady(e.agentId));
      });
    }
    if (e.to === "WRAP_UP" && e.from !== "WRAP_UP") {
      const u = rnd();
      if (u < 0.3) later(3_000, () => void stale(home(e.agentId).endWrapUp(e.agentId)));
      else if (u < 0.4) later(5_000, () => void stale(home(e.agentId).extendWrapUp(e.agentId, 20_000)));
    }
    if (e.to === "NOT_READY" && e.reason === "no-answer")
      later(exp(60_000), () => void stale(home(e.agentId).setReady(e.agentId)));
  });

  // ── invariants, after every step ──
  let steps = 0;
  let checked = 0;
  let stepStart = 0;
  let maxWaiting = 0;
  const check = async (final = false) => {
    steps++;
    if (errors.length > 0) fail(`unexpected error: ${String(errors[0])}`);
    // every change of live state emits an event, so a step without events changed nothing
    if (stepEvents.length === 0 && !final) return;
    checked++;
    const agents = await opts.state.listAgents();
    // read with peek(), not peekMany() (which routing uses), so a broken peekMany cannot hide itself
    const contents = new Map<string, QueueItem[]>();
    for (const q of queues) contents.set(q.id, await opts.state.peek(q.id, 100_000));
    const where = new Map<string, string>();
    const put = (id: string, place: string) => {
      const prev = where.get(id);
      if (prev !== undefined) fail(`item ${id} is in two places: ${prev} and ${place}`);
      where.set(id, place);
    };
    let waiting = 0;
    for (const [qid, items] of contents) {
      waiting += items.length;
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (it.queueId !== qid) fail(`item ${it.id} in queue ${qid} says ${it.queueId}`);
        put(it.id, `queue ${qid}`);
        const seq = seqOf.get(it.id);
        if (it.kind === "call" && seq !== undefined && seq !== it.seq) {
          fail(`call ${it.id} lost its place: arrival #${seq} now #${it.seq}`);
        }
        if (i > 0 && compareItems(items[i - 1]!, it) >= 0) fail(`queue ${qid} out of order at ${it.id}`);
      }
    }
    maxWaiting = Math.max(maxWaiting, waiting);
    for (const a of agents) {
      const holds = CALL_STATES.has(a.state);
      if (holds !== (a.itemId !== undefined)) fail(`agent ${a.agentId} in ${a.state} with item ${a.itemId}`);
      if (a.state === "RESERVED") fail(`agent ${a.agentId} stuck RESERVED`);
      if (a.itemId !== undefined) put(a.itemId, `agent ${a.agentId}`);
    }
    // no call lost, none invented
    for (const id of open) if (!where.has(id)) fail(`item ${id} lost`);
    for (const id of where.keys()) if (!open.has(id)) fail(`item ${id} is live but was closed`);
    // priority then arrival: nothing better was waiting that the chosen agent could take.
    // With several nodes racing, only items queued before this step began count: a
    // node may legitimately decide on a read taken just before another node's requeue.
    for (const ev of stepEvents) {
      if (ev.type !== "call.reserved" || ev.payload.via === "claim") continue; // claims are out of order by design
      const { item, agentId } = ev.payload;
      const horizon = multi ? stepStart : ev.index;
      for (const [qid, items] of contents) {
        if (queueById.get(qid)?.strategy === "ring-all") continue; // claimed, never routed
        for (const y of items) {
          if (compareItems(y, item) >= 0) break;
          const qAt = queuedAt.get(y.id);
          if (qAt !== undefined && qAt < horizon && eligible(agentId, y)) {
            const d = (x: QueueItem) =>
              `${x.id} (${x.queueId} p${x.priority} #${x.seq}${x.language ? ` ${x.language}` : ""})`;
            fail(
              `${agentId} got ${d(item)} while ${d(y)} waited (queued at event ${qAt}, reserved at ${ev.index})`,
            );
          }
        }
      }
    }
    // every agent's history is one chain: rows ordered by record version (several nodes may
    // emit them out of order), each starting where the previous ended, time never going back
    const rows = stepEvents
      .flatMap((e) => (e.type === "agent.state" ? [e.payload] : []))
      .sort((x, y) => (x.agentId < y.agentId ? -1 : x.agentId > y.agentId ? 1 : x.version - y.version));
    for (const e of rows) {
      const last = history.get(e.agentId);
      if (last && (last.to !== e.from || last.at !== e.previousSince || last.version + 1 !== e.version)) {
        fail(
          `agent ${e.agentId} history broken: last ${last.to}@${last.at} v${last.version}, now ${e.from}@${e.previousSince} v${e.version}`,
        );
      }
      if (e.at < e.previousSince) fail(`agent ${e.agentId} time runs backwards`);
      history.set(e.agentId, {
        to: e.to,
        at: e.at,
        version: e.version,
        first: last?.first ?? e.at,
        total: (last?.total ?? 0) + (last ? e.at - e.previousSince : 0),
      });
    }
    const now = clock.now();
    for (const [id, h] of history) {
      if (h.total !== h.at - h.first) fail(`agent ${id} history covers ${h.total} ms of ${h.at - h.first}`);
    }
    // and the ACD's own time accounts add up (one node sees every change only when it is alone)
    // (the accounts of agents without a transition this step only grew by the step's length,
    // so checking the agents that moved, and everyone at the end, covers every change)
    if (!multi) {
      const moved = final ? profiles.map((p) => p.id) : [...new Set(rows.map((e) => e.agentId))];
      for (const id of moved) {
        const p = { id };
        const s = acd.agentStats(p.id);
        if (s.firstLoginAt === undefined) continue;
        const total = Object.values(s.byState).reduce((x, y) => x + y, 0);
        if (total !== now - s.firstLoginAt) fail(`agent ${p.id} time ${total} ≠ ${now - s.firstLoginAt}`);
        const nr = Object.values(s.notReadyByReason).reduce((x, y) => x + y, 0);
        if (nr !== s.byState.NOT_READY)
          fail(`agent ${p.id} not-ready reasons ${nr} ≠ ${s.byState.NOT_READY}`);
      }
    }
    stepEvents = [];
    stepStart = index;
  };

  const settle = async () => {
    if (multi) for (const node of acds) node.kick(); // every node routes at once: real races
    do {
      await Promise.all([...inflight]);
      await Promise.all(acds.map((node) => node.idle()));
    } while (inflight.size > 0);
  };
  await clock.advance(end - start, async () => {
    await settle();
    await check();
  });
  // the day is over: drain what is still in flight, then everyone logs out
  await settle();
  await check();
  for (const p of profiles) await stale(home(p.id).logout(p.id, "logout"));
  await settle();
  await check(true);
  for (const node of acds) {
    await node.close();
    if (node.timerCount !== 0) fail(`ACD leaked ${node.timerCount} timers`);
  }
  return { steps, checked, ...counts, maxWaiting, offersByNode };
}
