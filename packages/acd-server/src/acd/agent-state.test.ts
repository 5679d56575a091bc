import { describe, expect, it } from "vitest";
import {
  AGENT_TRANSITIONS,
  AgentState,
  ALL_AGENT_STATES,
  assertTransition,
  canTransition,
} from "./agent-state.js";
import { AcdError } from "./errors.js";

describe("agent state transition table", () => {
  const allowed: [AgentState, AgentState][] = [
    ["LOGGED_OUT", "NOT_READY"],
    ["NOT_READY", "READY"],
    ["READY", "RESERVED"],
    ["RESERVED", "RINGING"],
    ["RINGING", "ON_CALL"],
    ["RINGING", "NOT_READY"],
    ["ON_CALL", "HOLD"],
    ["HOLD", "ON_CALL"],
    ["ON_CALL", "WRAP_UP"],
    ["WRAP_UP", "READY"],
    ["WRAP_UP", "WRAP_UP"],
  ];
  it.each(allowed)("%s → %s is allowed", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition("a1", from, to)).not.toThrow();
  });

  const refused: [AgentState, AgentState][] = [
    ["LOGGED_OUT", "READY"],
    ["NOT_READY", "RESERVED"],
    ["READY", "ON_CALL"],
    ["READY", "RINGING"],
    ["RESERVED", "ON_CALL"],
    ["ON_CALL", "READY"],
    ["ON_CALL", "RESERVED"],
    ["HOLD", "READY"],
    ["WRAP_UP", "ON_CALL"],
  ];
  it.each(refused)("%s → %s is refused with a stable code", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    try {
      assertTransition("a1", from, to);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AcdError);
      expect((e as AcdError).code).toBe("HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION");
      expect((e as AcdError).details).toEqual({ agentId: "a1", from, to });
    }
  });

  it("the only way into RESERVED is from READY, and every state can log out except LOGGED_OUT", () => {
    for (const s of ALL_AGENT_STATES) {
      expect(canTransition(s, AgentState.Reserved)).toBe(s === AgentState.Ready);
      expect(canTransition(s, AgentState.LoggedOut)).toBe(s !== AgentState.LoggedOut);
      expect(AGENT_TRANSITIONS[s].length).toBeGreaterThan(0);
    }
  });
});
