import type { AgentStateName } from "../api/types.js";

/** What the state bar offers in each state the server reports. */
export type StateAction = "ready" | "notReady" | "logout" | "login" | "extend" | "finish";

/**
 * The ACD owns agent state; the desk only offers the moves the server accepts from the agent.
 * While a call is reserved, ringing or up, no state change is offered: the call decides (the
 * server puts the agent into wrap-up when it ends).
 */
export function stateActions(state: AgentStateName): readonly StateAction[] {
  switch (state) {
    case "LOGGED_OUT":
      return ["login"];
    case "NOT_READY":
      return ["ready", "notReady", "logout"];
    case "READY":
      return ["notReady", "logout"];
    case "WRAP_UP":
      return ["extend", "finish"];
    case "RESERVED":
    case "RINGING":
    case "ON_CALL":
    case "HOLD":
      return [];
  }
}
