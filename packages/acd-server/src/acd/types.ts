import type { AgentState } from "./agent-state.js";

/** Skill name → level 1..10. */
export type SkillLevels = Readonly<Record<string, number>>;

/** Static agent profile: configuration loaded by the store, not live state. */
export interface AgentProfile {
  readonly id: string;
  readonly name?: string;
  readonly skills: SkillLevels;
  readonly languages: readonly string[];
}

export type RoutingStrategy = "longest-idle" | "skill-level-longest-idle" | "round-robin" | "ring-all";

export type OverflowTarget =
  | { readonly kind: "queue"; readonly queueId: string }
  | { readonly kind: "voicemail"; readonly mailbox: string }
  | { readonly kind: "callback" };

export interface QueueConfig {
  readonly id: string;
  readonly name?: string;
  /** Skill name → minimum level (1..10) an agent needs. */
  readonly requiredSkills: SkillLevels;
  readonly strategy: RoutingStrategy;
  readonly ringTimeoutMs: number;
  /** Maximum time a call waits before overflow; 0 = no limit. */
  readonly maxWaitMs: number;
  /** Maximum calls waiting; 0 = no limit. White-listed callers bypass it. */
  readonly maxSize: number;
  readonly overflow?: OverflowTarget;
  /** Position / estimated-wait announcement period; 0 = none. */
  readonly announceIntervalMs: number;
  /** Service level threshold (answered within), 15 s by default (national 12345 standard). */
  readonly serviceLevelMs: number;
  /** After-call work before the agent is READY again. */
  readonly wrapUpMs: number;
}

export const DEFAULT_SERVICE_LEVEL_MS = 15_000;

export function queueConfig(q: Pick<QueueConfig, "id"> & Partial<Omit<QueueConfig, "id">>): QueueConfig {
  return {
    requiredSkills: {},
    strategy: "longest-idle",
    ringTimeoutMs: 20_000,
    maxWaitMs: 0,
    maxSize: 0,
    announceIntervalMs: 0,
    serviceLevelMs: DEFAULT_SERVICE_LEVEL_MS,
    wrapUpMs: 10_000,
    ...q,
  };
}

/**
 * `consult`: an agent asking a colleague before an attended transfer (or a transfer to one
 * agent); routed like a call to its target agent, never counted as an offered call.
 */
export type ItemKind = "call" | "callback" | "missed-callback" | "consult";

/**
 * A unit of work in a queue: a waiting call, a callback a caller asked for (keeps
 * the caller's place), or a missed-call callback task made from an abandoned call.
 */
export interface QueueItem {
  readonly id: string;
  readonly kind: ItemKind;
  readonly queueId: string;
  /** Caller number (ANI). */
  readonly number: string;
  /** Higher is answered first. 0 = normal. Range 0..9. */
  readonly priority: number;
  /** Global arrival order; kept when the item is requeued so it returns to its place. */
  readonly seq: number;
  /** When the caller first entered a queue (ms): waits and service level count from here. */
  readonly arrivedAt: number;
  /** When the item entered its current queue (ms): maximum wait counts from here. */
  readonly queuedAt: number;
  /** How many times maximum wait moved it to another queue (stops overflow loops). */
  readonly overflowHops?: number;
  /** For callback tasks: the call they came from. */
  readonly originCallId?: string;
  /** Required language, if the IVR chose one. */
  readonly language?: string;
  /** Whitelisted callers bypass queue limits. */
  readonly whitelisted?: boolean;
  /** Attached data passed to the agent's screen pop. */
  readonly data?: Readonly<Record<string, string>>;
  /** Only this agent may take the item (one-to-one answering, transfer or consult to an agent). */
  readonly targetAgent?: string;
  /** The agent who transferred it here: the call was answered once already and counts once. */
  readonly transferredBy?: string;
}

/** Whether answering this item counts as an answered call (not a consult, not a re-answer after a transfer). */
export function countsAsAnswer(item: QueueItem): boolean {
  return item.kind === "call" && item.transferredBy === undefined;
}

export const MAX_PRIORITY = 9;

/** Live per-agent record. `version` makes every update a compare-and-set. */
export interface AgentLive {
  readonly agentId: string;
  readonly state: AgentState;
  readonly reason?: string;
  readonly itemId?: string;
  /** When the current state began. */
  readonly since: number;
  /** When the agent last became READY (longest-idle routing). */
  readonly idleSince: number;
  readonly version: number;
}
