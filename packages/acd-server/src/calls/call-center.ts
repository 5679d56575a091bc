import type { Logger } from "pino";
import type { IncomingCall, Switch } from "../engine/port.js";
import { HotlineError } from "../errors.js";
import type { AcdRuntime } from "../routing/runtime.js";
import type { Store } from "../store/store.js";
import { CallSession, type CallSessionDeps } from "./call-session.js";
import type { Conversation } from "./conversation.js";
import { parseDialled } from "./dialled.js";
import { defaultFeatureCodes, FeatureCodeDesk, type FeatureCodes } from "./feature-codes.js";
import { CallLookups } from "./lookups.js";
import { type OutboundCallRequest, placeOutboundCall } from "./outbound-call.js";

export interface CallCenterOptions {
  switch: Switch;
  runtime: AcdRuntime;
  store: Store;
  log: Logger;
  hotlineNumber: string;
  recordingsDir: string;
  voicemail?: CallSessionDeps["voicemail"];
  /** Told when a caller rated a call (webhook `survey.completed`). */
  onSurvey?: CallSessionDeps["onSurvey"];
  /** Told after every change of an answered call (socket.io `call.updated`). */
  onCallChange?: CallSessionDeps["onCallChange"];
  /** Which stored flow answers a dialled number; the built-in flow when unset. */
  flows?: CallSessionDeps["flows"];
  /** Agents' feature codes (config `featureCodes`); default `*21`–`*24`. */
  featureCodes?: FeatureCodes;
}

/**
 * Routes what the switch receives: calls to the hotline number get a call session (IVR, queue,
 * agent, survey); anything else is refused. Keeps the live sessions so shutdown can end them.
 */
export class CallCenter {
  readonly #o: CallCenterOptions;
  readonly #lookups: CallLookups;
  readonly #features: FeatureCodeDesk;
  readonly #sessions = new Set<Promise<void>>();
  /** Answered calls by call id, for call control (REST, socket.io). */
  readonly #talking = new Map<string, Conversation>();
  #closed = false;

  constructor(o: CallCenterOptions) {
    this.#o = o;
    this.#lookups = new CallLookups(o.store);
    this.#features = new FeatureCodeDesk({
      acd: o.runtime.acd,
      log: o.log,
      codes: o.featureCodes ?? defaultFeatureCodes,
    });
    o.switch.on("incoming", (call) => this.#incoming(call));
    o.switch.on("registration", (r) => {
      // A device that went away while its agent was offered a call or ready: the ACD must not
      // keep routing to it (the call goes back to its place; the agent is logged out).
      if (r.registered) return;
      void o.runtime.acd
        .agent(r.agentId)
        .then((a) =>
          a.state === "READY" || a.state === "RESERVED" || a.state === "RINGING"
            ? o.runtime.acd.logout(r.agentId, "disconnect")
            : a,
        )
        .catch(() => undefined);
    });
  }

  get liveSessions(): number {
    return this.#sessions.size;
  }

  #incoming({ leg }: IncomingCall): void {
    if (this.#closed) {
      void leg.reject("unavailable");
      return;
    }
    // An agent's phone dialling a feature code (*21 …) is served here, not as a caller.
    const feature = this.#features.take(leg);
    if (feature) {
      const done = feature
        .then(() => undefined)
        .catch((err: unknown) => this.#o.log.error({ err }, "feature code crashed"));
      this.#sessions.add(done);
      void done.finally(() => this.#sessions.delete(done));
      return;
    }
    // The hotline number, or it followed by an agent's id (one-to-one answering, calls/dialled.ts).
    if (parseDialled(leg.to.number, this.#o.hotlineNumber).kind === "unknown") {
      this.#o.log.info({ to: leg.to.number, from: leg.from.number }, "call to an unknown number refused");
      void leg.reject("unavailable");
      return;
    }
    const session = new CallSession(leg, {
      switch: this.#o.switch,
      runtime: this.#o.runtime,
      store: this.#o.store,
      lookups: this.#lookups,
      log: this.#o.log,
      hotlineNumber: this.#o.hotlineNumber,
      recordingsDir: this.#o.recordingsDir,
      flows: this.#o.flows,
      onCallChange: this.#o.onCallChange,
      onSurvey: this.#o.onSurvey,
      voicemail: this.#o.voicemail,
      onConversation: (_s, c) => {
        this.#talking.set(c.callId, c);
        void c.done.finally(() => this.#talking.delete(c.callId));
      },
    });
    const run = session.run().catch((err: unknown) => this.#o.log.error({ err }, "call session crashed"));
    this.#sessions.add(run);
    void run.finally(() => this.#sessions.delete(run));
  }

  /** Click-to-dial: rings the agent's phone, then the number through a trunk. */
  async originate(r: OutboundCallRequest): Promise<{ callId: string }> {
    if (this.#closed) throw new HotlineError("HOTLINE_ERR_NOT_READY", "the server is shutting down");
    const { callId, done } = await placeOutboundCall(
      {
        switch: this.#o.switch,
        runtime: this.#o.runtime,
        store: this.#o.store,
        log: this.#o.log,
        hotlineNumber: this.#o.hotlineNumber,
        recordingsDir: this.#o.recordingsDir,
        onCallChange: this.#o.onCallChange,
      },
      r,
      (c) => {
        this.#talking.set(c.callId, c);
        void c.done.finally(() => this.#talking.delete(c.callId));
      },
    );
    this.#sessions.add(done);
    void done.finally(() => this.#sessions.delete(done));
    return { callId };
  }

  /** The number of a waiting callback task (undefined when no such task waits). */
  async taskNumber(taskId: string): Promise<string | undefined> {
    const rt = this.#o.runtime;
    return (await rt.callbackTasks(rt.queueIds())).find((t) => t.id === taskId)?.number;
  }

  /** The live conversation of an answered call. */
  conversation(callId: string): Conversation | undefined {
    // A consulted agent's phone knows the call by its consult item id (`<callId>~consult-N`).
    return this.#talking.get(callId.split("~")[0] ?? callId);
  }

  /** The conversation `who` is on (as the agent, the consulted party or a monitor). */
  conversationOf(who: string): Conversation | undefined {
    for (const c of this.#talking.values()) if (c.involves(who)) return c;
    return undefined;
  }

  /** Refuses new calls and waits for the live ones to end (the switch hangs them up). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#sessions]);
  }
}
