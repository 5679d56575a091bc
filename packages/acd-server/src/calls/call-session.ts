import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type CallbackRequest,
  type CallPort,
  type CollectOptions,
  type CollectResult,
  DigitCollector,
  defaultFlow,
  type EnqueueRequest,
  type Flow,
  fetchHttpClient,
  type IvrEvent,
  type PlayOptions,
  type PlayResult,
  type PromptRef,
  promptFile,
  type QueueOutcome,
  type QueueStatus,
  runFlow,
  type SurveyRating,
  systemClock,
  type TransferResult,
  type TransferTarget,
  type VoicemailRequest,
} from "@hotline12345/ivr-flows";
import type { Logger } from "pino";
import type { AcdEvents } from "../acd/index.js";
import type { Leg, Switch } from "../engine/port.js";
import type { AcdRuntime } from "../routing/runtime.js";
import type { Store } from "../store/store.js";
import { CallRecords } from "./call-records.js";
import { Conversation, type ConversationDeps } from "./conversation.js";
import { oneToOneTarget, parseDialled } from "./dialled.js";
import type { CallLookups } from "./lookups.js";
import { handToVoicemail, recordVoicemail } from "./voicemail.js";

export interface CallSessionDeps {
  switch: Switch;
  runtime: AcdRuntime;
  store: Store;
  lookups: CallLookups;
  log: Logger;
  hotlineNumber: string;
  recordingsDir: string;
  /** The flow that answers a dialled number (stored, versioned); the built-in one when unset. */
  flows?: { forNumber(dialled: string): Promise<Flow> } | undefined;
  /** Where the voicemail verb sends callers (see config `voicemail`); none = the verb records nothing. */
  voicemail?: {
    uri?: string | undefined;
    postUrl?: string | undefined;
    secret?: string | undefined;
    domain: string;
  };
  /** Told when the caller rated the call (the business system's `survey.completed` webhook). */
  onSurvey?: (e: SurveyResult) => void;
  /** Told after every change of an answered call (for socket.io pushes). */
  onCallChange?: ConversationDeps["onChange"];
  /** Told when an agent first answers, so call control can find the conversation. */
  onConversation?: (session: CallSession, conversation: Conversation) => void;
}

export interface SurveyResult {
  callId: string;
  callerNumber: string;
  agentId: string | null;
  queueId: string | null;
  /** 1 very satisfied … 5 very dissatisfied. */
  rating: number;
}

type Listener<K extends keyof AcdEvents> = (e: AcdEvents[K]) => void;

/**
 * One inbound call: the caller's leg, the IVR flow run against it (this object is the flow's
 * CallPort), the wait in the ACD, the agent's leg, the bridge and the recording. The session
 * owns all of them and releases all of them when the call ends.
 */
export class CallSession implements CallPort {
  readonly clock = systemClock;
  readonly callId: string;
  readonly #d: CallSessionDeps;
  readonly #caller: Leg;
  readonly #records: CallRecords;
  readonly #log: Logger;
  #digits: string[] = [];
  #onDigit: ((key: string) => void) | undefined;
  #agentId: string | undefined;
  #ended = false;
  /** The agent leg's lifetime (ring, talk, release); the session waits for it before it ends. */
  #agentTask: Promise<void> = Promise.resolve();
  readonly #flowAbort = new AbortController();

  constructor(caller: Leg, deps: CallSessionDeps) {
    this.#caller = caller;
    this.#d = deps;
    this.callId = caller.id;
    this.#log = deps.log.child({ callId: this.callId });
    this.#records = new CallRecords(deps.store, this.#log, this.callId);
    caller.on("dtmf", (e) => {
      if (this.#onDigit) this.#onDigit(e.key);
      else this.#digits.push(e.key);
    });
    caller.on("ended", () => {
      this.#ended = true;
      this.#flowAbort.abort();
    });
  }

  /** Answers, runs the flow to its end, hangs up, releases everything. */
  async run(): Promise<void> {
    const started = Date.now();
    this.#records.open({
      direction: "inbound",
      caller: this.#caller.from.number,
      dialled: this.#caller.to.number,
      origin: this.#caller.origin,
      media: this.#caller.media,
      at: started,
    });
    try {
      await this.#caller.answer();
      // A one-to-one number (hotline number + agent id) runs the hotline number's flow.
      const dialled =
        parseDialled(this.#caller.to.number, this.#d.hotlineNumber).kind === "agent"
          ? this.#d.hotlineNumber
          : this.#caller.to.number;
      const flow = this.#d.flows ? await this.#d.flows.forNumber(dialled) : defaultFlow;
      const result = await runFlow(flow, this, {
        caller: {
          number: this.#caller.from.number,
          dialled: this.#caller.to.number,
          media: this.#caller.media,
        },
        signal: this.#flowAbort.signal,
      });
      // A caller who hangs up ends the flow at once; the agent's side (ringing, talking,
      // transfers) ends a moment later, and an answered call is "completed" however it ends.
      await this.#agentTask;
      if ((await this.#conversation?.done) && this.#outcome !== "transferred") this.#outcome = "completed";
      this.#records.update({
        ivrPath: result.path,
        endedAt: Date.now(),
        endCause: result.end,
        outcome: this.#outcome ?? result.end,
      });
    } catch (err) {
      this.#log.error({ err }, "call session failed");
      this.#records.update({ endedAt: Date.now(), outcome: "failed", endCause: "error" });
    } finally {
      await this.#caller.hangup("normal").catch(() => undefined);
      await this.#records.flush();
    }
  }

  #outcome: string | undefined;

  // ───────────── CallPort ─────────────

  async play(prompts: readonly PromptRef[], options: PlayOptions): Promise<PlayResult> {
    if (this.#ended || options.signal.aborted) return { key: null, stopped: true };
    const files = prompts.map((p) => promptFile(p.name, p.lang));
    const playback = this.#caller.play(files);
    const stop = () => void playback.stop();
    options.signal.addEventListener("abort", stop, { once: true });
    // Barge-in is ours, not the engine's: the key that interrupts is consumed here and never
    // reaches the digit buffer, so a menu does not see it twice.
    let key: string | null = null;
    if (options.bargeIn) {
      const queued = this.#digits.shift();
      if (queued !== undefined) {
        await playback.stop();
        options.signal.removeEventListener("abort", stop);
        return { key: queued, stopped: false };
      }
      this.#onDigit = (k) => {
        key = k;
        this.#onDigit = undefined;
        void playback.stop();
      };
    }
    const r = await playback.done;
    if (options.bargeIn) this.#onDigit = undefined;
    options.signal.removeEventListener("abort", stop);
    if (key !== null) return { key, stopped: false };
    return { key: null, stopped: r.stopped };
  }

  collectDigits(options: CollectOptions): Promise<CollectResult> {
    const initial = (options.initialDigits ?? "") + this.#digits.splice(0).join("");
    const collector = new DigitCollector({ ...options, initialDigits: initial }, this.clock);
    this.#onDigit = (k) => collector.feed(k);
    const stop = () => collector.stop();
    options.signal.addEventListener("abort", stop, { once: true });
    return collector.result.finally(() => {
      this.#onDigit = undefined;
      options.signal.removeEventListener("abort", stop);
    });
  }

  clearDigits(): void {
    this.#digits = [];
  }

  enqueue(request: EnqueueRequest): Promise<QueueOutcome> {
    const { runtime } = this.#d;
    const acd = runtime.acd;
    const data = Object.fromEntries(Object.entries(request.data).map(([k, v]) => [k, String(v)]));
    // One-to-one answering: the hotline number followed by an agent's id reaches that agent only,
    // through a queue they serve (the flow's own if they serve it).
    const one = oneToOneTarget(
      parseDialled(this.#caller.to.number, this.#d.hotlineNumber),
      request.queue,
      runtime,
    );
    const queueId = one.kind === "agent" ? one.queueId : request.queue;
    this.#targetAgent = one.kind === "agent" ? one.agentId : undefined;
    this.#records.update({ queueId, attached: request.data });
    this.#queueId = queueId;
    return new Promise<QueueOutcome>((resolve) => {
      const listeners: Array<() => void> = [];
      const on = <K extends keyof AcdEvents>(event: K, fn: Listener<K>) => {
        acd.events.on(event, fn);
        listeners.push(() => acd.events.off(event, fn));
      };
      let settled = false;
      let ringing: AbortController | undefined;
      const finish = (outcome: QueueOutcome) => {
        if (settled) return;
        settled = true;
        for (const off of listeners.splice(0)) off();
        request.signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        ringing?.abort();
        // Connected: the conversation ends the call with the ACD. Otherwise the caller gave up
        // waiting (or hung up while an agent's phone rang, or during a blind transfer).
        if (!this.#conversation?.agentId) void acd.abandon(this.callId).catch(() => false);
        if (this.#conversation) return; // its end settles the outcome
        if (this.#ended) this.#outcome = "abandoned";
        finish({ kind: this.#ended ? "abandoned" : "stopped" });
      };
      request.signal.addEventListener("abort", onAbort, { once: true });

      on("call.queued", (e) => {
        if (e.item.id === this.callId)
          this.#records.event("queued", e.at, { queue: e.item.queueId, position: e.position });
      });
      on("call.offered", (e) => {
        if (e.item.id !== this.callId) return;
        ringing = new AbortController();
        const ring = this.#ringAgent(e.agentId, e.ringTimeoutMs, ringing.signal, request, data, finish).catch(
          (err: unknown) => this.#log.error({ err, agentId: e.agentId }, "agent leg failed"),
        );
        this.#agentTask = Promise.all([this.#agentTask, ring]).then(() => undefined);
      });
      on("call.requeued", (e) => {
        if (e.item.id !== this.callId) return;
        ringing?.abort();
        this.#records.event("requeued", e.at, { reason: e.reason }, e.agentId);
        if (e.item.targetAgent !== undefined) {
          // A transfer to one agent who did not answer: the caller goes on to anyone in that
          // queue, ahead of new callers, rather than waiting for an agent now not ready.
          void acd
            .withdraw(this.callId)
            .then(() =>
              acd.enqueue({
                callId: this.callId,
                queueId: e.item.queueId,
                number: this.#caller.from.number,
                priority: 9,
                data: e.item.data ?? {},
              }),
            )
            .catch((err: unknown) => this.#log.error({ err }, "re-queueing a missed transfer failed"));
        }
      });
      on("call.overflowed", (e) => {
        if (e.item.id !== this.callId) return;
        this.#outcome = "overflowed";
        finish({ kind: "overflow", reason: e.reason });
      });
      on("callback.created", (e) => {
        if (e.replaces === this.callId && e.origin !== "missed") {
          this.#outcome = "callback";
          finish({ kind: "callback-accepted" });
        }
      });

      const priority = Math.min(9, Math.max(0, request.priority));
      acd
        .enqueue({
          callId: this.callId,
          queueId,
          number: this.#caller.from.number,
          priority,
          data,
          ...(this.#targetAgent ? { targetAgent: this.#targetAgent } : {}),
        })
        .then((r) => {
          if (r.status === "rejected") {
            this.#outcome = "rejected";
            finish({ kind: "overflow", reason: r.reason });
          } else if (r.status === "overflowed") {
            this.#outcome = "overflowed";
            finish({ kind: "overflow", reason: "max-size" });
          }
        })
        .catch((err: unknown) => {
          this.#log.error({ err }, "enqueue failed");
          finish({ kind: "overflow", reason: "error" });
        });
    });
  }

  /** The live conversation once an agent has answered (for call control). */
  get conversation(): Conversation | undefined {
    return this.#conversation;
  }

  #conversation: Conversation | undefined;
  #queueId: string | undefined;
  /** One-to-one answering: only this agent may take the call. */
  #targetAgent: string | undefined;

  /** Rings the agent the ACD reserved; on answer hands the leg to the conversation. */
  async #ringAgent(
    agentId: string,
    ringTimeoutMs: number,
    signal: AbortSignal,
    request: EnqueueRequest,
    data: Record<string, string>,
    finish: (o: QueueOutcome) => void,
  ): Promise<void> {
    const { runtime, log } = this.#d;
    const acd = runtime.acd;
    this.#records.event("rung", Date.now(), {}, agentId);
    const r = await this.#d.switch.originate({
      to: { kind: "agent", agentId },
      callerNumber: this.#d.hotlineNumber,
      callerName: "12345",
      timeoutMs: ringTimeoutMs + 1000,
      signal,
      near: this.#caller,
      headers: { "X-Hotline-Call-Id": this.callId },
    });
    if (!r.ok) {
      log.info({ agentId, cause: r.cause }, "agent's device did not take the call");
      if (!signal.aborted) await acd.reject(agentId, this.callId).catch(() => false);
      return;
    }
    const agentLeg = r.leg;
    try {
      await acd.answered(agentId, this.callId);
    } catch (err) {
      // The ring timeout fired meanwhile and the call went back to its queue.
      log.info({ err, agentId }, "agent answered too late");
      await agentLeg.hangup("normal");
      return;
    }
    if (this.#ended) {
      await agentLeg.hangup("normal");
      await acd.hangup(agentId, this.callId).catch(() => false);
      return;
    }
    const at = Date.now();
    this.#agentId = agentId;
    this.#records.event("answered", at, {}, agentId);
    let conversation = this.#conversation;
    if (!conversation) {
      this.#records.update({ agentId, answeredAt: at });
      request.onAnswered(agentId);
      conversation = new Conversation(this.#caller, {
        switch: this.#d.switch,
        runtime,
        records: this.#records,
        log: this.#log,
        hotlineNumber: this.#d.hotlineNumber,
        recordingsDir: this.#d.recordingsDir,
        callId: this.callId,
        data,
        queueId: this.#queueId ?? request.queue,
        voiceStreamUrl: await this.#d.lookups.voiceStream(this.#queueId ?? request.queue),
        onChange: this.#d.onCallChange,
      });
      this.#conversation = conversation;
      this.#d.onConversation?.(this, conversation);
      void conversation.done.then((end) => {
        this.#agentId = end.agentId;
        this.#outcome = "completed";
        finish({ kind: "answered", agentId: end.agentId ?? agentId, endedBy: end.endedBy });
      });
    }
    await conversation.connect(agentId, agentLeg, this.callId);
  }

  async queueStatus(): Promise<QueueStatus | null> {
    const p = await this.#d.runtime.acd.position(this.callId);
    return p ? { position: p.position, estimatedWaitSeconds: Math.round(p.estimatedWaitMs / 1000) } : null;
  }

  /**
   * The flow hands the caller to another number or SIP URI (another hotline, a department's
   * desk): the far party is called presenting the hotline number, then bridged and recorded
   * like an agent until either side hangs up. The flow goes on only if the far end never answered.
   */
  async transfer(target: TransferTarget): Promise<TransferResult> {
    if (this.#ended) return { ok: false, cause: "caller-gone" };
    const r = await this.#d.switch.originate({
      to:
        target.kind === "number"
          ? { kind: "number", number: target.number }
          : { kind: "uri", uri: target.uri },
      callerNumber: this.#d.hotlineNumber,
      callerName: "12345",
      timeoutMs: 45_000,
      signal: this.#flowAbort.signal,
      near: this.#caller,
      headers: { "X-Hotline-Call-Id": this.callId },
    });
    if (!r.ok) {
      this.#records.event("transfer-failed", Date.now(), { to: target, cause: r.cause });
      return { ok: false, cause: r.cause };
    }
    const who = target.kind === "number" ? target.number : target.uri;
    this.#records.event("transferred", Date.now(), { mode: "ivr", to: target });
    const conversation = new Conversation(this.#caller, {
      switch: this.#d.switch,
      runtime: this.#d.runtime,
      records: this.#records,
      log: this.#log,
      hotlineNumber: this.#d.hotlineNumber,
      recordingsDir: this.#d.recordingsDir,
      callId: this.callId,
      data: {},
      queueId: "",
      onChange: this.#d.onCallChange,
    });
    this.#conversation = conversation;
    await conversation.connect(who, r.leg, undefined, { outside: true });
    await conversation.done;
    this.#outcome = "transferred";
    return { ok: true };
  }

  /**
   * The voicemail verb: hands the caller to the outside voicemail server (History-Info and
   * Diversion name the mailbox the caller wanted), or records the message here and POSTs it.
   */
  async voicemail(request: VoicemailRequest): Promise<{ recorded: boolean }> {
    const vm = this.#d.voicemail;
    if (!vm || this.#ended) return { recorded: false };
    if (vm.uri) {
      const r = await handToVoicemail(this.#d.switch, this.#caller, {
        uri: vm.uri,
        wanted: request.mailbox,
        hotlineNumber: this.#d.hotlineNumber,
        domain: vm.domain,
        reason: "no-answer",
      });
      this.#records.event("voicemail", Date.now(), { to: "server", ok: r.ok, mailbox: request.mailbox });
      if (r.ok) this.#outcome = "voicemail";
      return { recorded: r.ok };
    }
    if (!vm.postUrl) return { recorded: false };
    const day = new Date(Date.now() + 480 * 60_000).toISOString().slice(0, 10);
    const dir = join(this.#d.recordingsDir, day);
    mkdirSync(dir, { recursive: true });
    const r = await recordVoicemail(this.#d.switch, this.#caller, {
      path: join(dir, `${this.callId}-voicemail.wav`),
      maxSeconds: request.maxSeconds,
      postUrl: vm.postUrl,
      callId: this.callId,
      wanted: request.mailbox,
      ...(vm.secret ? { secret: vm.secret } : {}),
    });
    this.#records.event("voicemail", Date.now(), {
      to: "post",
      seconds: r.seconds,
      delivered: r.delivered,
      mailbox: request.mailbox,
    });
    if (r.seconds > 0) this.#outcome = "voicemail";
    return { recorded: r.seconds > 0 };
  }

  async requestCallback(request: CallbackRequest): Promise<void> {
    const acd = this.#d.runtime.acd;
    const queued = await acd.position(this.callId);
    if (!queued) {
      await acd.enqueue({ callId: this.callId, queueId: request.queue, number: request.number });
    }
    await acd.requestCallback(this.callId);
    this.#outcome = "callback";
    this.#records.event("callback", Date.now(), { queue: request.queue });
  }

  async recordSurvey(rating: SurveyRating): Promise<void> {
    this.#records.survey(rating.rating, this.#agentId, Date.now());
    this.#d.onSurvey?.({
      callId: this.callId,
      callerNumber: this.#caller.from.number,
      agentId: this.#agentId ?? null,
      queueId: this.#queueId ?? null,
      rating: rating.rating,
    });
  }

  async hangup(): Promise<void> {
    await this.#caller.hangup("normal");
  }

  readonly calendar = { isOpen: (service: string, at: number) => this.#d.lookups.isOpen(service, at) };
  readonly lists = { match: (number: string) => this.#d.lookups.lists(number, Date.now()) };
  readonly http = fetchHttpClient();

  event(e: IvrEvent): void {
    if (e.type === "node-entered") return; // the path is kept whole in calls.ivr_path
    // Digits a caller types may be an ID number: the event keeps that digits came, not which.
    const data = e.type === "digits-collected" ? { nodeId: e.nodeId, count: e.digits.length } : { ...e };
    this.#records.event(e.type === "key-pressed" ? "ivr-key" : `ivr-${e.type}`, e.at, data);
  }
}
