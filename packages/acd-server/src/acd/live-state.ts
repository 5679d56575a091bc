import type { AgentState } from "./agent-state.js";
import type { AgentLive, QueueItem } from "./types.js";

/**
 * The one port behind which live ACD state sits: queued items (ordered by
 * priority, then arrival), agent records, and which agent holds which item.
 *
 * Every mutation is atomic. The two that move an item between a queue and an
 * agent — {@link LiveState.reserve} and {@link LiveState.release} — check and
 * change both sides in one step, so no item is ever in two places (two agents, or
 * an agent and a queue) and no agent ever holds two items, even when several
 * server nodes share one Redis.
 *
 * Agent updates are compare-and-set on `version`: a node that read a stale
 * record loses the race and re-reads instead of overwriting.
 */
export interface LiveState {
  /** A new arrival number, increasing across all nodes. */
  nextSeq(): Promise<number>;

  /** Adds a new item to its queue. False (and no change) if the id is already live. */
  enqueue(item: QueueItem): Promise<boolean>;

  /**
   * Atomically takes a still-queued item out of its queue and, if `replacement`
   * is given, puts that in its place (callback keeping the caller's place,
   * missed-call task, overflow to another queue). Returns the removed item, or
   * undefined if it was not queued (already reserved or gone) — then nothing changes.
   */
  replaceQueued(itemId: string, replacement?: QueueItem): Promise<QueueItem | undefined>;

  /**
   * The atomic reservation: succeeds only if the item is still queued and the
   * agent is still READY. Then, in the same step, the item leaves its queue and
   * the agent becomes RESERVED holding it. Returns the agent's record before and
   * after, or undefined (nothing changed) when another decision won the race.
   */
  reserve(
    itemId: string,
    agentId: string,
    now: number,
  ): Promise<{ prev: AgentLive; next: AgentLive } | undefined>;

  /**
   * Atomically ends an agent's hold on an item and sets the agent record to
   * `next` (compare-and-set on `expectedVersion`). The item is then either
   * deleted (`requeue` undefined) or put back into a queue — at its original
   * place when it keeps its `seq`. False if the version check failed.
   */
  release(expectedVersion: number, next: AgentLive, itemId: string, requeue?: QueueItem): Promise<boolean>;

  /**
   * One-step state change that keeps the agent's item (or requires none):
   * applied only if the agent exists, is in one of `from`, holds `expectItem`
   * when given, and holds no item unless `to.keepItem`. Refused: returns the
   * current record (undefined if none) and changes nothing.
   */
  transitionAgent(
    agentId: string,
    from: readonly AgentState[],
    to: AgentTransition,
    expectItem?: string,
  ): Promise<{ ok: true; prev: AgentLive; next: AgentLive } | { ok: false; cur: AgentLive | undefined }>;

  /** Compare-and-set of an agent record. `expectedVersion` -1 creates it. */
  putAgent(expectedVersion: number, next: AgentLive): Promise<boolean>;

  getAgent(agentId: string): Promise<AgentLive | undefined>;
  listAgents(): Promise<AgentLive[]>;
  /** READY agents, longest idle first. */
  readyAgents(): Promise<{ agentId: string; idleSince: number }[]>;

  getItem(itemId: string): Promise<QueueItem | undefined>;
  /** The first `limit` items of a queue in service order. */
  peek(queueId: string, limit: number): Promise<QueueItem[]>;
  /**
   * What one routing decision reads, in one round trip on Redis: the READY agents
   * (longest idle first) and the first `limit` items of each queue.
   */
  snapshot(
    queueIds: readonly string[],
    limit: number,
  ): Promise<{ ready: { agentId: string; idleSince: number }[]; heads: Map<string, QueueItem[]> }>;
  /** Peeks several queues at once (one round trip on Redis). */
  peekMany(queueIds: readonly string[], limit: number): Promise<Map<string, QueueItem[]>>;
  queueLength(queueId: string): Promise<number>;
  /** 1-based position of a queued item, undefined if not queued. */
  position(itemId: string): Promise<{ queueId: string; position: number } | undefined>;
  /** The agent holding an item, if any. */
  holder(itemId: string): Promise<string | undefined>;

  /** Releases connections; idempotent. Does not delete data. */
  close(): Promise<void>;
}

export interface AgentTransition {
  readonly state: AgentState;
  readonly reason?: string;
  /** Keep the item the agent holds (moves between call states). */
  readonly keepItem: boolean;
  readonly since: number;
  /** Entering READY: idle time starts now (longest-idle routing). */
  readonly setIdle: boolean;
}

/** The record an accepted transition produces (both stores build it the same way). */
export function applyTransition(cur: AgentLive, to: AgentTransition): AgentLive {
  return {
    agentId: cur.agentId,
    state: to.state,
    ...(to.reason !== undefined ? { reason: to.reason } : {}),
    ...(to.keepItem && cur.itemId !== undefined ? { itemId: cur.itemId } : {}),
    since: to.since,
    idleSince: to.setIdle ? to.since : cur.idleSince,
    version: cur.version + 1,
  };
}

/** Service order: higher priority first, then earlier arrival. */
export function compareItems(
  a: Pick<QueueItem, "priority" | "seq">,
  b: Pick<QueueItem, "priority" | "seq">,
): number {
  return b.priority - a.priority || a.seq - b.seq;
}

/**
 * A single sortable number for (priority desc, seq asc), used as the Redis
 * sorted-set score. Exact while seq < 2^40 and priority in 0..9 (10·2^40 < 2^53).
 */
export function itemScore(item: Pick<QueueItem, "priority" | "seq">): number {
  return (9 - item.priority) * 2 ** 40 + item.seq;
}
