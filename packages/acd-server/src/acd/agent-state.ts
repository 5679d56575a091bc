import { AcdError, AcdErrorCode } from "./errors.js";

/**
 * Agent state machine. One agent holds at most one call; the only way from READY
 * to a call is RESERVED, set by the atomic reservation in the live state.
 */
export const AgentState = {
  LoggedOut: "LOGGED_OUT",
  NotReady: "NOT_READY",
  Ready: "READY",
  Reserved: "RESERVED",
  Ringing: "RINGING",
  OnCall: "ON_CALL",
  Hold: "HOLD",
  WrapUp: "WRAP_UP",
} as const;
export type AgentState = (typeof AgentState)[keyof typeof AgentState];

export const ALL_AGENT_STATES: readonly AgentState[] = Object.values(AgentState);

/** States in which the agent holds a call (or a callback task). */
export const CALL_STATES: ReadonlySet<AgentState> = new Set<AgentState>([
  AgentState.Reserved,
  AgentState.Ringing,
  AgentState.OnCall,
  AgentState.Hold,
]);

const S = AgentState;

/**
 * The explicit transition table: from → allowed targets, with why.
 * Anything not listed is refused with HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION.
 */
export const AGENT_TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = {
  // login lands in NOT_READY ("login" reason): an agent must choose to take calls.
  [S.LoggedOut]: [S.NotReady],
  [S.NotReady]: [S.Ready, S.NotReady, S.LoggedOut],
  // READY → RESERVED only through the atomic reservation.
  [S.Ready]: [S.NotReady, S.Reserved, S.LoggedOut],
  // RESERVED → READY when the caller abandons before the phone rings;
  // → NOT_READY / LOGGED_OUT when the agent is lost (call requeued).
  [S.Reserved]: [S.Ringing, S.Ready, S.NotReady, S.LoggedOut],
  // RINGING → NOT_READY("no-answer") on ring timeout; → READY when the caller abandons.
  [S.Ringing]: [S.OnCall, S.Ready, S.NotReady, S.LoggedOut],
  [S.OnCall]: [S.Hold, S.WrapUp, S.LoggedOut],
  [S.Hold]: [S.OnCall, S.WrapUp, S.LoggedOut],
  [S.WrapUp]: [S.Ready, S.NotReady, S.WrapUp, S.LoggedOut],
};

export function canTransition(from: AgentState, to: AgentState): boolean {
  return AGENT_TRANSITIONS[from].includes(to);
}

export function assertTransition(agentId: string, from: AgentState, to: AgentState): void {
  if (!canTransition(from, to)) {
    throw new AcdError(
      AcdErrorCode.IllegalAgentTransition,
      `agent ${agentId}: ${from} → ${to} is not allowed`,
      { agentId, from, to },
    );
  }
}
