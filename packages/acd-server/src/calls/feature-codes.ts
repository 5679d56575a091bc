import { promptFile } from "@hotline12345/ivr-flows";
import type { Logger } from "pino";
import {
  type Acd,
  AcdError,
  AgentState,
  type AgentState as AgentStateName,
  canTransition,
} from "../acd/index.js";
import type { Leg } from "../engine/port.js";
import { dialledDigits } from "./dialled.js";

/**
 * Feature codes: an agent on a plain SIP phone (no desk open) dials `*21` to log in and go
 * ready, `*22` to go not ready, `*23` to log out, `*24` to end after-call work. The call is
 * answered, the change goes through the ACD under the same rules as the REST API, a short
 * prompt confirms it (or says it was not possible), and the call is hung up. The runtime writes
 * the history rows and pushes the new state, as for a change made on the desk.
 */

export type FeatureAction = "login-ready" | "not-ready" | "logout" | "end-wrap-up";

export interface FeatureCodes {
  loginReady: string;
  notReady: string;
  logout: string;
  endWrapUp: string;
  /** The reason `notReady` gives: a phone has no reason picker. */
  notReadyReason: string;
}

export const defaultFeatureCodes: FeatureCodes = {
  loginReady: "*21",
  notReady: "*22",
  logout: "*23",
  endWrapUp: "*24",
  notReadyReason: "break",
};

export type FeatureDial = { kind: "code"; action: FeatureAction } | { kind: "unknown-code"; dialled: string };

/**
 * Dialled user part → what it asks. `undefined`: not a feature dial at all (no leading `*` or
 * `#`), so the caller routing goes on. A leading `*`/`#` that names no configured code is an
 * `unknown-code`, refused rather than routed: no hotline number starts with one.
 */
export function parseFeatureDial(to: string, codes: FeatureCodes): FeatureDial | undefined {
  const dialled = dialledDigits(to);
  if (!/^[*#]/.test(dialled)) return undefined;
  const byCode: Record<string, FeatureAction> = {
    [codes.loginReady]: "login-ready",
    [codes.notReady]: "not-ready",
    [codes.logout]: "logout",
    [codes.endWrapUp]: "end-wrap-up",
  };
  const action = byCode[dialled];
  return action ? { kind: "code", action } : { kind: "unknown-code", dialled };
}

/** The confirmation each action plays (prompts of packages/ivr-flows). */
const confirmation: Record<FeatureAction, string> = {
  "login-ready": "agent-ready",
  "not-ready": "agent-not-ready",
  logout: "agent-logged-out",
  "end-wrap-up": "wrap-up-ended",
};
/** Played when the ACD refuses the change (e.g. `*24` while not in after-call work). */
const refusedPrompt = "invalid-key";

/**
 * A plan: what to do before the prompt, and what after the hang-up. A change that makes the
 * agent READY waits for the hang-up: a READY agent is offered the next waiting call at once,
 * and the device would still be busy with this call and refuse it (the ACD would then set the
 * agent not ready for "no answer").
 */
interface Plan {
  now?: () => Promise<unknown>;
  afterHangup?: () => Promise<unknown>;
}

export type FeatureOutcome =
  | { ok: true; action: FeatureAction; state: AgentStateName }
  | { ok: false; action: FeatureAction; code: string };

export interface FeatureCodeDeps {
  acd: Acd;
  log: Logger;
  codes: FeatureCodes;
}

/**
 * Serves feature-code calls. `take(leg)` claims a leg that dialled a feature code (or refuses
 * one that dialled an unknown code) and returns the work's promise, or `undefined` when the
 * leg is not a feature dial and belongs to the caller routing.
 */
export class FeatureCodeDesk {
  readonly #d: FeatureCodeDeps;

  constructor(deps: FeatureCodeDeps) {
    this.#d = deps;
  }

  take(leg: Leg): Promise<FeatureOutcome | undefined> | undefined {
    const dial = parseFeatureDial(leg.to.number, this.#d.codes);
    if (!dial) return undefined;
    const agentId = agentOf(leg);
    if (dial.kind === "unknown-code" || agentId === undefined) {
      // Refused before answer: nothing is charged, the phone shows the failure at once.
      this.#d.log.info(
        { to: leg.to.number, from: leg.from.number, origin: leg.origin },
        agentId === undefined ? "feature code from a device that is not an agent's" : "unknown feature code",
      );
      return leg.reject("unavailable").then(() => undefined);
    }
    return this.run(leg, agentId, dial.action);
  }

  /** Answers, applies, confirms, hangs up. Never throws: a failure is logged and the call ends. */
  async run(leg: Leg, agentId: string, action: FeatureAction): Promise<FeatureOutcome> {
    const log = this.#d.log.child({ agentId, featureCode: action });
    let outcome: FeatureOutcome;
    let plan: Plan = {};
    try {
      plan = await this.#plan(agentId, action);
      await plan.now?.();
      outcome = { ok: true, action, state: (await this.#d.acd.agent(agentId)).state };
    } catch (err) {
      if (!(err instanceof AcdError)) log.error({ err }, "feature code failed");
      outcome = { ok: false, action, code: err instanceof AcdError ? err.code : "HOTLINE_ERR_INTERNAL" };
    }
    try {
      await leg.answer();
      const prompt = outcome.ok ? confirmation[action] : refusedPrompt;
      await leg.play([promptFile(prompt, "zh")]).done;
    } catch (err) {
      log.info({ err }, "feature code call ended early");
    }
    // The BYE is on its way once hangup() returns its promise; releasing the media may take a
    // moment longer, and the agent need not wait for that to be READY.
    const released = leg.hangup("normal").catch(() => undefined);
    if (outcome.ok && plan.afterHangup) {
      try {
        await plan.afterHangup();
        outcome = { ok: true, action, state: (await this.#d.acd.agent(agentId)).state };
      } catch (err) {
        // The state moved between the check and now (a supervisor, the desk): say so in the log;
        // the caller heard the confirmation of a change that the ACD then refused.
        log.warn({ err }, "feature code change refused after its confirmation");
        outcome = { ok: false, action, code: err instanceof AcdError ? err.code : "HOTLINE_ERR_INTERNAL" };
      }
    }
    await released;
    log.info({ outcome }, "feature code");
    return outcome;
  }

  /**
   * The REST API's rules, checked before the prompt so the prompt tells the truth: going ready
   * or not ready logs a logged-out agent in first (`POST /api/agents/me/state` does the same);
   * logging out is always possible; ending after-call work only from WRAP_UP.
   */
  async #plan(agentId: string, action: FeatureAction): Promise<Plan> {
    const acd = this.#d.acd;
    const cur = (await acd.agent(agentId)).state;
    const refuse = (to: AgentStateName) => {
      throw new AcdError(
        "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION",
        `agent ${agentId}: ${cur} → ${to} is not allowed`,
        {
          agentId,
          from: cur,
          to,
        },
      );
    };
    switch (action) {
      case "logout":
        return { now: () => acd.logout(agentId) };
      case "not-ready": {
        if (cur !== AgentState.LoggedOut && !canTransition(cur, AgentState.NotReady))
          refuse(AgentState.NotReady);
        return {
          now: async () => {
            if (cur === AgentState.LoggedOut) await acd.login(agentId);
            await acd.setNotReady(agentId, this.#d.codes.notReadyReason);
          },
        };
      }
      case "login-ready": {
        if (cur === AgentState.Ready) return {};
        if (cur !== AgentState.LoggedOut && !canTransition(cur, AgentState.Ready)) refuse(AgentState.Ready);
        return {
          now: async () => {
            if (cur === AgentState.LoggedOut) await acd.login(agentId);
          },
          afterHangup: () => acd.setReady(agentId),
        };
      }
      case "end-wrap-up": {
        if (cur !== AgentState.WrapUp) refuse(AgentState.Ready);
        return { afterHangup: () => acd.endWrapUp(agentId) };
      }
    }
  }
}

/**
 * The agent a leg comes from: only a device that proved who it is (digest, RFC 3261 §22) may
 * change an agent's state, never a call through a trunk, whose From anyone can write. The
 * embedded engine marks digest-authenticated legs `registered`. It does not yet hand over the
 * digest username, so the From user is taken as the account: a registered device could name
 * another agent in its From. Tying the two (the leg carrying the authenticated user) is the
 * engine's to do; this is the one place that would read it.
 */
export function agentOf(leg: Pick<Leg, "origin" | "from">): string | undefined {
  if (leg.origin !== "registered") return undefined;
  const id = leg.from.number;
  return /^[0-9A-Za-z_.-]{1,32}$/.test(id) ? id : undefined;
}
