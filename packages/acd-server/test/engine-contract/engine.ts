import type { Switch } from "../../src/engine/port.js";

/**
 * What the contract suite needs from an engine under test, and nothing more: the `Switch`
 * itself, where SIP phones reach it, and a count of what it holds open. Every check in the
 * suite goes through `Switch` and real phones; only `resources()` looks inside, because "closing
 * leaks nothing" cannot be seen from outside.
 */
export interface EngineUnderTest {
  readonly switch: Switch;
  /** Where phones send REGISTER and INVITE, over UDP. */
  readonly sip: { host: string; port: number };
  /**
   * Live objects by kind (legs, media endpoints, players, recordings, SIP dialogs …); every
   * count is 0 once every leg has ended and every bridge, conference, recording and fork the
   * suite made has been closed.
   */
  resources(): Promise<Record<string, number>>;
  /** Stops what the factory started besides the switch (the switch is closed first by the suite). */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Agents' SIP credentials: user id → password (digest, RFC 3261 §22). */
  agents: ReadonlyMap<string, string>;
  /** Calls from these addresses are a trusted trunk's: taken without digest. */
  trustedAddresses: readonly string[];
  /** SIP domain the agents register under. */
  domain: string;
}

/** Starts one engine for the suite; each engine kind has one (embedded here, later scale-out). */
export type EngineFactory = (o: EngineOptions) => Promise<EngineUnderTest>;
