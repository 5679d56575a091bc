import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promptFile } from "@hotline12345/ivr-flows";
import type { Logger } from "pino";
import { AgentState } from "../acd/index.js";
import type { Leg, Recording, Switch } from "../engine/port.js";
import { HotlineError } from "../errors.js";
import type { LiveCallView } from "../events/catalogue.js";
import type { AcdRuntime } from "../routing/runtime.js";
import type { CallRecords } from "./call-records.js";

/** Where a transfer or a consult goes. */
export type CallTarget =
  | { kind: "agent"; agentId: string }
  | { kind: "queue"; queueId: string }
  | { kind: "number"; number: string };

export type MonitorMode = "listen" | "whisper" | "barge";

/** Someone on the call besides the caller: an agent (with their ACD item) or an outside number. */
interface Party {
  /** Agent or supervisor id, or the outside number. */
  who: string;
  leg: Leg;
  /** The ACD item the agent holds for this call; undefined for outside numbers and supervisors. */
  itemId?: string | undefined;
  recording?: { id: string; rec: Recording } | undefined;
  /** The queue's live voice stream of this party's talk with the caller. */
  stream?: { stop(): Promise<void> } | undefined;
  /** Set once the conversation let this party go, so its leg's end is not taken as a hang-up. */
  released?: boolean;
  /** An outside number or URI, not a user of the hotline. */
  outside?: boolean;
}

interface Consult {
  itemId: string;
  target: CallTarget;
  /** A three-way asked for in one step: join everyone as soon as the target answers. */
  joinOnAnswer: boolean;
  party?: Party | undefined;
  conferenced: boolean;
  ringing?: AbortController | undefined;
}

/** What the desk, the board and the REST API see of a live conversation (the caller's number whole). */
export type ConversationView = LiveCallView;

export interface ConversationDeps {
  switch: Switch;
  runtime: AcdRuntime;
  records: CallRecords;
  log: Logger;
  hotlineNumber: string;
  recordingsDir: string;
  callId: string;
  /** The call's attached data (IVR choices, business-system answers); transfers carry it. */
  data: Record<string, string>;
  /** The queue the caller was answered from. */
  queueId: string;
  /** The queue's real-time voice stream: the caller's talk with each agent is sent here. */
  voiceStreamUrl?: string | undefined;
  /** Told after every change (and at the end), with everyone who was on the call. */
  onChange?: ((view: ConversationView, parties: readonly string[]) => void) | undefined;
}

export interface ConversationEnd {
  /** The agent who had the caller last (the survey is theirs). */
  agentId: string | undefined;
  endedBy: "agent" | "caller";
}

const RING_MS = 30_000;

/**
 * The talk phase of one inbound call, from the first answer to the caller's last word: who is
 * on it (the caller, the agent who has them, a consulted party, supervisors listening), how their
 * audio is joined (a bridge, a mixer for three-way and monitoring, music while the caller waits)
 * and which recordings run. Every operation is serialized, and after each one the media is
 * rebuilt from the parties' state, so no sequence of operations can leave a stale bridge behind.
 */
export class Conversation {
  readonly #d: ConversationDeps;
  readonly #caller: Leg;
  readonly #log: Logger;
  #a: Party | undefined;
  #consult: Consult | undefined;
  #callerHeld = false;
  readonly #monitors = new Map<string, { leg: Leg; mode: MonitorMode }>();
  #teardown: Array<() => Promise<unknown>> = [];
  /** ACD listeners for consults, removed when the call ends. */
  readonly #teardownOnEnd: Array<() => void> = [];
  #chain: Promise<unknown> = Promise.resolve();
  #ended = false;
  #lastAgent: string | undefined;
  #consults = 0;
  #recordings = 0;
  #resolve!: (e: ConversationEnd) => void;
  /** Resolves once the caller is gone and everything the conversation owned is released. */
  readonly done: Promise<ConversationEnd>;

  constructor(caller: Leg, deps: ConversationDeps) {
    this.#caller = caller;
    this.#d = deps;
    this.#log = deps.log;
    this.done = new Promise((r) => {
      this.#resolve = r;
    });
    caller.on("ended", () => {
      this.#serial(() => this.#end("caller")).catch((err: unknown) =>
        this.#log.error({ err }, "ending the conversation failed"),
      );
    });
  }

  /** The citizen's number: who called in, or whom an outbound call reached. */
  get #citizen(): string {
    return this.#caller.direction === "outbound" ? this.#caller.to.number : this.#caller.from.number;
  }

  get callId(): string {
    return this.#d.callId;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The agent who has the caller now (not a consulted party). */
  get agentId(): string | undefined {
    return this.#a?.who;
  }

  /** Whether `who` is on the call as the agent, the consulted party or a monitor. */
  involves(who: string): boolean {
    return this.#a?.who === who || this.#consult?.party?.who === who || this.#monitors.has(who);
  }

  view(): ConversationView {
    const c = this.#consult;
    return {
      callId: this.#d.callId,
      caller: this.#citizen,
      agentId: this.#a?.who,
      held: this.#callerHeld,
      transferring: !this.#a && !this.#ended,
      ended: this.#ended,
      ...(c
        ? {
            consult: {
              target: c.target,
              answered: c.party !== undefined,
              conferenced: c.conferenced,
              agentId: c.party?.itemId ? c.party.who : undefined,
            },
          }
        : {}),
      monitors: [...this.#monitors].map(([supervisorId, m]) => ({ supervisorId, mode: m.mode })),
      data: { ...this.#d.data },
    };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #require(ok: unknown, why: string): asserts ok {
    if (!ok) throw new HotlineError("HOTLINE_ERR_CALL_STATE", why);
  }

  // ───────────── the agent who has the caller ─────────────

  /**
   * An agent answered the caller (first answer, or the next agent after a blind transfer).
   * `itemId` is the ACD item the agent holds; none for an outbound call outside the ACD.
   */
  connect(
    agentId: string,
    leg: Leg,
    itemId: string | undefined,
    options: { outside?: boolean } = {},
  ): Promise<void> {
    return this.#serial(async () => {
      if (this.#ended) {
        await leg.hangup("normal");
        if (itemId) await this.#d.runtime.acd.hangup(agentId, itemId).catch(() => false);
        return;
      }
      this.#a = this.#party(agentId, leg, itemId);
      this.#a.outside = options.outside ?? false;
      if (!this.#a.outside) this.#lastAgent = agentId;
      this.#callerHeld = false;
      await this.#startRecording(this.#a, this.#caller);
      await this.#arrange();
    });
  }

  #party(who: string, leg: Leg, itemId: string | undefined): Party {
    const p: Party = { who, leg, itemId };
    if (itemId) this.#lastAgent = who;
    leg.on("ended", () => {
      this.#serial(() => this.#left(p)).catch((err: unknown) =>
        this.#log.error({ err, who }, "a party's leaving failed"),
      );
    });
    // The agent's own phone holds (re-INVITE sendonly/inactive, RFC 3264 §8.4): same as the button.
    leg.on("held", ({ held }) => {
      if (this.#a === p) void this.#serial(() => this.#setHeld(held)).catch(() => undefined);
    });
    return p;
  }

  hold(): Promise<void> {
    return this.#serial(() => this.#setHeld(true));
  }

  retrieve(): Promise<void> {
    return this.#serial(() => {
      this.#require(!this.#consult, "end or complete the consult first");
      return this.#setHeld(false);
    });
  }

  async #setHeld(held: boolean): Promise<void> {
    const a = this.#a;
    this.#require(a && !this.#ended, "no agent on the call");
    if (this.#callerHeld === held) return;
    this.#callerHeld = held;
    if (a.itemId) {
      const acd = this.#d.runtime.acd;
      await (held ? acd.hold(a.who) : acd.retrieve(a.who)).catch(() => undefined);
    }
    this.#records.event(held ? "held" : "retrieved", Date.now(), {}, a.who);
    await this.#arrange();
  }

  /** The agent (or a supervisor for them) ends their part; with a consult answered, that completes it. */
  hangup(): Promise<void> {
    return this.#serial(async () => {
      this.#require(this.#a, "no agent on the call");
      await this.#a.leg.hangup("normal");
      await this.#left(this.#a);
    });
  }

  // ───────────── blind transfer ─────────────

  /**
   * Hands the caller on without staying: to one agent (who must be ready), to a queue, or to an
   * outside number. The attached data go with the call, merged with `data`.
   */
  transfer(target: CallTarget, data: Record<string, string> = {}): Promise<void> {
    return this.#serial(async () => {
      const a = this.#a;
      this.#require(a?.itemId && !this.#consult, "only an agent's call without a consult can be transferred");
      Object.assign(this.#d.data, data);
      if (target.kind === "number") {
        const leg = await this.#dial(target.number);
        await this.#release(a, "transferred");
        this.#a = this.#party(target.number, leg, undefined);
        this.#a.outside = true;
        this.#callerHeld = false;
        await this.#startRecording(this.#a, this.#caller);
      } else {
        const { queueId, targetAgent } = await this.#route(target, a.who);
        const acd = this.#d.runtime.acd;
        // The ACD keeps the caller's place (original arrival) and puts the agent in wrap-up.
        const ok = await acd.transfer(a.who, a.itemId, queueId, {
          ...(targetAgent ? { targetAgent } : {}),
          data: this.#d.data,
        });
        this.#require(ok, "the ACD no longer holds this call for the agent");
        a.itemId = undefined; // the ACD has already ended the agent's part
        await this.#release(a, "transferred");
      }
      this.#records.event("transferred", Date.now(), { mode: "blind", to: target }, a.who);
      await this.#arrange();
    });
  }

  async #route(target: CallTarget, from: string): Promise<{ queueId: string; targetAgent?: string }> {
    const acd = this.#d.runtime.acd;
    if (target.kind === "queue") {
      if (!this.#d.runtime.queueIds().includes(target.queueId))
        throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", `no queue ${target.queueId}`);
      return { queueId: target.queueId };
    }
    if (target.kind !== "agent") throw new HotlineError("HOTLINE_ERR_VALIDATION", "not an agent or queue");
    if (target.agentId === from) throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", "that is you");
    const state = await acd
      .agent(target.agentId)
      .then((x) => x.state)
      .catch(() => undefined);
    if (state !== AgentState.Ready)
      throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", `agent ${target.agentId} is not ready`);
    const queues = acd.queuesOf(target.agentId);
    // The agent is reached through a queue they serve: the caller's own if they serve it.
    const queueId = queues.includes(this.#d.queueId) ? this.#d.queueId : queues[0];
    if (!queueId)
      throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", `agent ${target.agentId} serves no queue`);
    return { queueId, targetAgent: target.agentId };
  }

  // ───────────── consult, complete, cancel, three-way ─────────────

  /** Holds the caller and calls the target; the agent then completes, cancels or conferences. */
  consult(
    target: CallTarget,
    data: Record<string, string> = {},
    options: { joinOnAnswer?: boolean } = {},
  ): Promise<void> {
    const joinOnAnswer = options.joinOnAnswer ?? false;
    return this.#serial(async () => {
      const a = this.#a;
      this.#require(a?.itemId && !this.#consult, "only an agent's call without a consult can consult");
      Object.assign(this.#d.data, data);
      const itemId = `${this.#d.callId}~consult-${++this.#consults}`;
      if (target.kind === "number") {
        await this.#setHeld(true);
        const consult: Consult = { itemId, target, joinOnAnswer, conferenced: false };
        this.#consult = consult;
        try {
          const leg = await this.#dial(target.number);
          consult.party = this.#party(target.number, leg, undefined);
          consult.party.outside = true;
          await this.#startRecording(consult.party, a.leg);
          if (joinOnAnswer) await this.#join(consult);
        } catch (err) {
          this.#consult = undefined;
          await this.#setHeld(false);
          throw err;
        }
      } else {
        const route = await this.#route(target, a.who);
        await this.#setHeld(true);
        this.#consult = { itemId, target, joinOnAnswer, conferenced: false };
        this.#watchConsult(itemId);
        const r = await this.#d.runtime.acd.enqueue({
          callId: itemId,
          queueId: route.queueId,
          number: this.#citizen,
          kind: "consult",
          data: { ...this.#d.data, consultOf: this.#d.callId, consultFrom: a.who },
          ...(route.targetAgent ? { targetAgent: route.targetAgent } : {}),
        });
        if (r.status !== "queued") {
          this.#consult = undefined;
          await this.#setHeld(false);
          throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", "the consult could not be queued");
        }
      }
      this.#records.event("consult", Date.now(), { to: target }, a.who);
      await this.#arrange();
    });
  }

  /** Follows the consult item through the ACD: ring the agent it is offered to, give up on a miss. */
  #watchConsult(itemId: string): void {
    const events = this.#d.runtime.acd.events;
    const offered = (e: { item: { id: string }; agentId: string; ringTimeoutMs: number }) => {
      if (e.item.id === itemId)
        this.#ringConsult(itemId, e.agentId, e.ringTimeoutMs).catch((err: unknown) =>
          this.#log.error({ err }, "consult leg failed"),
        );
    };
    const requeued = (e: { item: { id: string } }) => {
      // A consult the target did not answer is not retried: the agent decides what next.
      if (e.item.id === itemId)
        this.#serial(() => this.#dropConsult(itemId, "no-answer")).catch(() => undefined);
    };
    events.on("call.offered", offered);
    events.on("call.requeued", requeued);
    this.#teardownOnEnd.push(() => {
      events.off("call.offered", offered);
      events.off("call.requeued", requeued);
    });
  }

  async #ringConsult(itemId: string, agentId: string, ringTimeoutMs: number): Promise<void> {
    const acd = this.#d.runtime.acd;
    const consult = this.#consult;
    if (consult?.itemId !== itemId) return;
    consult.ringing = new AbortController();
    const r = await this.#d.switch.originate({
      to: { kind: "agent", agentId },
      callerNumber: this.#d.hotlineNumber,
      callerName: "12345",
      timeoutMs: ringTimeoutMs + 1000,
      signal: consult.ringing.signal,
      near: this.#caller,
      headers: { "X-Hotline-Call-Id": itemId },
    });
    await this.#serial(async () => {
      if (!r.ok) {
        if (this.#consult?.itemId === itemId) await this.#dropConsult(itemId, r.cause);
        else await acd.withdraw(itemId).catch(() => false);
        return;
      }
      if (this.#consult?.itemId !== itemId || this.#ended || !this.#a) {
        await r.leg.hangup("normal");
        await acd.withdraw(itemId).catch(() => false);
        return;
      }
      try {
        await acd.answered(agentId, itemId);
      } catch {
        await r.leg.hangup("normal");
        await this.#dropConsult(itemId, "too-late");
        return;
      }
      consult.ringing = undefined;
      consult.party = this.#party(agentId, r.leg, itemId);
      this.#records.event("consult-answered", Date.now(), {}, agentId);
      await this.#startRecording(consult.party, this.#a.leg);
      if (consult.joinOnAnswer) await this.#join(consult);
      await this.#arrange();
    });
  }

  /** The consult did not happen (no answer, refused): the agent is back with the caller. */
  async #dropConsult(itemId: string, why: string): Promise<void> {
    if (this.#consult?.itemId !== itemId) return;
    this.#consult.ringing?.abort();
    this.#consult = undefined;
    await this.#d.runtime.acd.withdraw(itemId).catch(() => false);
    if (this.#ended) return;
    this.#records.event("consult-failed", Date.now(), { why }, this.#a?.who);
    if (this.#a && !this.#a.released) await this.#setHeld(false);
    else await this.#arrange();
  }

  /** The consulted party takes the caller; the agent leaves to wrap-up (attended transfer). */
  completeConsult(): Promise<void> {
    return this.#serial(() => this.#complete());
  }

  async #complete(): Promise<void> {
    const a = this.#a;
    const c = this.#consult;
    this.#require(a && c?.party, "no answered consult to complete");
    await this.#stopRecording(c.party);
    await this.#release(a, "transferred");
    this.#consult = undefined;
    this.#a = c.party;
    if (c.party.itemId) this.#lastAgent = c.party.who;
    this.#callerHeld = false;
    await this.#startRecording(this.#a, this.#caller);
    this.#records.event(
      "transferred",
      Date.now(),
      { mode: c.conferenced ? "conference" : "attended", to: c.target },
      a.who,
    );
    await this.#arrange();
  }

  cancelConsult(): Promise<void> {
    return this.#serial(async () => {
      const c = this.#consult;
      this.#require(c && this.#a, "no consult to cancel");
      if (c.party) {
        c.party.released = true;
        await this.#stopRecording(c.party);
        await c.party.leg.hangup("normal").catch(() => undefined);
      }
      await this.#dropConsult(c.itemId, "cancelled");
    });
  }

  /** Caller, agent and consulted party all hear each other. */
  conference(): Promise<void> {
    return this.#serial(async () => {
      const c = this.#consult;
      this.#require(this.#a && c?.party && !c.conferenced, "no answered consult to join");
      await this.#join(c);
      await this.#arrange();
    });
  }

  async #join(c: Consult): Promise<void> {
    if (!this.#a || !c.party) return;
    c.conferenced = true;
    // The consult recording (agent + consulted party) and the main one (caller + agent) run
    // on: between them every voice of the three-way is recorded.
    await this.#setHeld(false);
    this.#records.event("conferenced", Date.now(), { with: c.party.who }, this.#a.who);
  }

  // ───────────── supervisors ─────────────

  /** Rings the supervisor's phone and joins it: listen (heard by none), whisper (agent only), barge. */
  monitor(supervisorId: string, mode: MonitorMode): Promise<void> {
    return this.#serial(async () => {
      this.#require(this.#a && !this.#ended, "no agent on the call to monitor");
      const current = this.#monitors.get(supervisorId);
      if (current) current.mode = mode;
      else {
        const r = await this.#d.switch.originate({
          to: { kind: "agent", agentId: supervisorId },
          callerNumber: this.#d.hotlineNumber,
          callerName: "12345",
          timeoutMs: RING_MS,
          near: this.#caller,
          headers: { "X-Hotline-Call-Id": this.#d.callId, "X-Hotline-Monitor": mode },
        });
        if (!r.ok) throw new HotlineError("HOTLINE_ERR_NO_DEVICE", `no phone answered for ${supervisorId}`);
        if (this.#ended) {
          await r.leg.hangup("normal");
          return;
        }
        const leg = r.leg;
        this.#monitors.set(supervisorId, { leg, mode });
        leg.on(
          "ended",
          () =>
            void this.#serial(async () => {
              if (this.#monitors.get(supervisorId)?.leg !== leg) return;
              this.#monitors.delete(supervisorId);
              await this.#arrange();
            }),
        );
      }
      this.#records.event("monitored", Date.now(), { supervisorId, mode }, this.#a?.who);
      await this.#arrange();
    });
  }

  stopMonitor(supervisorId: string): Promise<void> {
    return this.#serial(async () => {
      const m = this.#monitors.get(supervisorId);
      this.#require(m, "not monitoring this call");
      this.#monitors.delete(supervisorId);
      await m.leg.hangup("normal").catch(() => undefined);
      await this.#arrange();
    });
  }

  /** The supervisor takes the call over; the agent leaves to wrap-up. */
  takeOver(supervisorId: string): Promise<void> {
    return this.#serial(async () => {
      const a = this.#a;
      this.#require(a && !this.#consult, "no agent's call (without a consult) to take over");
      let leg = this.#monitors.get(supervisorId)?.leg;
      this.#monitors.delete(supervisorId);
      if (!leg) {
        const r = await this.#d.switch.originate({
          to: { kind: "agent", agentId: supervisorId },
          callerNumber: this.#d.hotlineNumber,
          callerName: "12345",
          timeoutMs: RING_MS,
          near: this.#caller,
          headers: { "X-Hotline-Call-Id": this.#d.callId },
        });
        if (!r.ok) throw new HotlineError("HOTLINE_ERR_NO_DEVICE", `no phone answered for ${supervisorId}`);
        leg = r.leg;
      }
      await this.#release(a, "taken-over");
      // The monitor leg's own end handler only removes a monitor; as the agent it needs a party's.
      this.#a = this.#party(supervisorId, leg, undefined);
      this.#callerHeld = false;
      await this.#startRecording(this.#a, this.#caller);
      this.#records.event("taken-over", Date.now(), { supervisorId }, a.who);
      await this.#arrange();
    });
  }

  // ───────────── parties leaving, the end ─────────────

  async #left(p: Party): Promise<void> {
    if (p.released || this.#ended) return;
    if (p === this.#a && this.#consult?.party) {
      // Hanging up with the consulted party on the line hands the caller over (attended
      // transfer), as on any PBX; in a three-way the other two simply carry on.
      await this.#complete();
      return;
    }
    p.released = true;
    await this.#stopRecording(p);
    if (p.itemId) await this.#d.runtime.acd.hangup(p.who, p.itemId).catch(() => false);
    if (p === this.#a) {
      if (this.#consult) await this.#dropConsult(this.#consult.itemId, "agent-left");
      await this.#end("agent");
      return;
    }
    if (p === this.#consult?.party) {
      const c = this.#consult;
      this.#consult = undefined;
      this.#records.event("consult-ended", Date.now(), {}, p.who);
      if (!c.conferenced && this.#a) await this.#setHeld(false);
      else await this.#arrange();
    }
  }

  /** Lets an agent go from the call: recording stopped, ACD wrap-up, leg hung up. */
  async #release(p: Party, why: string): Promise<void> {
    p.released = true;
    await this.#stopRecording(p);
    if (p.itemId) await this.#d.runtime.acd.hangup(p.who, p.itemId).catch(() => false);
    await p.leg.hangup("normal").catch(() => undefined);
    if (this.#a === p) this.#a = undefined;
    this.#log.info({ who: p.who, why }, "party left the call");
  }

  async #end(endedBy: "agent" | "caller"): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    for (const off of this.#teardownOnEnd.splice(0)) off();
    await this.#clearMedia();
    const parties = [this.#a, this.#consult?.party].filter((p): p is Party => p !== undefined);
    if (this.#consult && !this.#consult.party) {
      this.#consult.ringing?.abort();
      await this.#d.runtime.acd.withdraw(this.#consult.itemId).catch(() => false);
    }
    for (const p of parties) if (!p.released) await this.#release(p, `call ended by ${endedBy}`);
    for (const m of this.#monitors.values()) await m.leg.hangup("normal").catch(() => undefined);
    this.#monitors.clear();
    if (endedBy === "agent") {
      // The caller stays for the survey; the session hangs up after it.
    } else await this.#caller.hangup("normal").catch(() => undefined);
    this.#records.event("completed", Date.now(), { endedBy }, this.#lastAgent);
    this.#changed();
    this.#resolve({ agentId: this.#lastAgent, endedBy });
  }

  /** Everyone who has been on the call, so each desk hears about its end too. */
  readonly #seen = new Set<string>();

  #changed(): void {
    for (const p of [this.#a, this.#consult?.party]) if (p && !p.outside) this.#seen.add(p.who);
    try {
      this.#d.onChange?.(this.view(), [...this.#seen]);
    } catch (err) {
      this.#log.warn({ err }, "call change listener failed");
    }
  }

  // ───────────── media and recording ─────────────

  get #records(): CallRecords {
    return this.#d.records;
  }

  async #dial(number: string): Promise<Leg> {
    const r = await this.#d.switch.originate({
      to: { kind: "number", number },
      callerNumber: this.#d.hotlineNumber,
      callerName: "12345",
      timeoutMs: RING_MS,
      near: this.#caller,
      headers: { "X-Hotline-Call-Id": this.#d.callId },
    });
    if (!r.ok) throw new HotlineError("HOTLINE_ERR_TARGET_UNAVAILABLE", `${number}: ${r.cause}`);
    return r.leg;
  }

  /** Stereo WAV per segment: `left` on the left channel, the party on the right. */
  async #startRecording(p: Party, left: Leg): Promise<void> {
    const at = Date.now();
    const n = ++this.#recordings;
    const day = new Date(at + 480 * 60_000).toISOString().slice(0, 10);
    const dir = join(this.#d.recordingsDir, day);
    try {
      mkdirSync(dir, { recursive: true });
      const name = n === 1 ? `${this.#d.callId}.wav` : `${this.#d.callId}-${n}.wav`;
      const rec = await this.#d.switch.record(join(dir, name), { caller: left, agent: p.leg });
      const id = `${this.#d.callId}-r${n}`;
      p.recording = { id, rec };
      this.#records.recording({ id, path: rec.path, agentId: p.who, at });
    } catch (err) {
      this.#log.error({ err }, "recording failed to start");
    }
    const url = this.#d.voiceStreamUrl;
    if (url && left === this.#caller) {
      try {
        p.stream = await this.#d.switch.fork({ caller: left, agent: p.leg }, url, {
          callId: this.#d.callId,
          callerNumber: this.#citizen,
        });
      } catch (err) {
        // The stream is an aid to the agent; the call goes on without it.
        this.#log.warn({ err, url }, "voice stream failed to start");
      }
    }
  }

  async #stopRecording(p: Party): Promise<void> {
    const s = p.stream;
    p.stream = undefined;
    await s?.stop().catch(() => undefined);
    const r = p.recording;
    if (!r) return;
    p.recording = undefined;
    const done = await r.rec.stop().catch(() => undefined);
    if (done) this.#records.recordingDone(r.id, done.seconds);
  }

  async #clearMedia(): Promise<void> {
    for (const t of this.#teardown.splice(0).reverse()) await t().catch(() => undefined);
  }

  /**
   * Rebuilds the audio from who is on the call: the caller with the agent (a bridge, or a mixer
   * when a third party or a supervisor is in); music for a caller who waits; the agent with the
   * consulted party while the caller is held.
   */
  async #arrange(): Promise<void> {
    await this.#clearMedia();
    this.#changed();
    if (this.#ended) return;
    const sw = this.#d.switch;
    const a = this.#a;
    const c = this.#consult;
    const withCaller = a !== undefined && !this.#callerHeld;
    try {
      if (!withCaller) {
        const music = this.#caller.play([promptFile("hold-music", "zh")], { loop: true });
        this.#teardown.push(() => music.stop());
      }
      const three = c?.party !== undefined && c.conferenced;
      if (withCaller && (three || this.#monitors.size > 0)) {
        const mix = await sw.conference();
        this.#teardown.push(() => mix.close());
        await mix.add(this.#caller);
        await mix.add(a.leg);
        if (three && c.party) await mix.add(c.party.leg);
        for (const m of this.#monitors.values()) {
          await mix.add(
            m.leg,
            m.mode === "listen" ? "listen" : m.mode === "whisper" ? { whisperTo: a.leg } : "full",
          );
        }
      } else if (withCaller) {
        const br = await sw.bridge(this.#caller, a.leg);
        this.#teardown.push(() => br.close());
      }
      if (a && c?.party && !c.conferenced) {
        const br = await sw.bridge(a.leg, c.party.leg);
        this.#teardown.push(() => br.close());
      }
    } catch (err) {
      // A leg that ended mid-rebuild: its own end handler rebuilds again without it.
      this.#log.warn({ err }, "media rearrangement failed");
    }
  }
}
