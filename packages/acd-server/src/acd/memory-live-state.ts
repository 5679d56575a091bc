import { AgentState } from "./agent-state.js";
import { type AgentTransition, applyTransition, compareItems, type LiveState } from "./live-state.js";
import type { AgentLive, QueueItem } from "./types.js";

/** Index of the first element not less than `x` (binary search). */
function lowerBound<T>(arr: readonly T[], x: T, cmp: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(arr[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byIdle = (a: AgentLive, b: AgentLive) =>
  a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);

/**
 * Single-node live state. JavaScript runs one callback at a time and no method
 * awaits between its check and its change, so each method is atomic.
 */
export class MemoryLiveState implements LiveState {
  #seq = 0;
  readonly #items = new Map<string, QueueItem>();
  readonly #queues = new Map<string, QueueItem[]>();
  readonly #queued = new Set<string>();
  readonly #agents = new Map<string, AgentLive>();
  readonly #ready: AgentLive[] = [];
  readonly #holder = new Map<string, string>();

  async nextSeq(): Promise<number> {
    return ++this.#seq;
  }

  #queue(id: string): QueueItem[] {
    let q = this.#queues.get(id);
    if (!q) {
      q = [];
      this.#queues.set(id, q);
    }
    return q;
  }

  #insert(item: QueueItem): void {
    const q = this.#queue(item.queueId);
    q.splice(lowerBound(q, item, compareItems), 0, item);
    this.#items.set(item.id, item);
    this.#queued.add(item.id);
  }

  #remove(item: QueueItem): void {
    const q = this.#queue(item.queueId);
    const i = lowerBound(q, item, compareItems);
    if (q[i]?.id !== item.id) throw new Error(`queue index corrupt for ${item.id}`);
    q.splice(i, 1);
    this.#queued.delete(item.id);
  }

  #setAgent(next: AgentLive): void {
    const prev = this.#agents.get(next.agentId);
    if (prev?.state === AgentState.Ready) {
      const i = lowerBound(this.#ready, prev, byIdle);
      if (this.#ready[i]?.agentId === prev.agentId) this.#ready.splice(i, 1);
    }
    this.#agents.set(next.agentId, next);
    if (next.state === AgentState.Ready) this.#ready.splice(lowerBound(this.#ready, next, byIdle), 0, next);
  }

  async enqueue(item: QueueItem): Promise<boolean> {
    if (this.#items.has(item.id)) return false;
    this.#insert(item);
    return true;
  }

  async replaceQueued(itemId: string, replacement?: QueueItem): Promise<QueueItem | undefined> {
    if (!this.#queued.has(itemId)) return undefined;
    if (replacement && replacement.id !== itemId && this.#items.has(replacement.id)) return undefined;
    const item = this.#items.get(itemId)!;
    this.#remove(item);
    this.#items.delete(itemId);
    if (replacement) this.#insert(replacement);
    return item;
  }

  async reserve(
    itemId: string,
    agentId: string,
    now: number,
  ): Promise<{ prev: AgentLive; next: AgentLive } | undefined> {
    const agent = this.#agents.get(agentId);
    if (!this.#queued.has(itemId) || !agent) return undefined;
    if (agent.state !== AgentState.Ready || agent.itemId !== undefined) return undefined;
    this.#remove(this.#items.get(itemId)!);
    const next: AgentLive = {
      agentId,
      state: AgentState.Reserved,
      itemId,
      since: now,
      idleSince: agent.idleSince,
      version: agent.version + 1,
    };
    this.#setAgent(next);
    this.#holder.set(itemId, agentId);
    return { prev: agent, next };
  }

  async release(
    expectedVersion: number,
    next: AgentLive,
    itemId: string,
    requeue?: QueueItem,
  ): Promise<boolean> {
    const agent = this.#agents.get(next.agentId);
    if (!agent || agent.version !== expectedVersion || this.#holder.get(itemId) !== next.agentId)
      return false;
    if (requeue && requeue.id !== itemId && this.#items.has(requeue.id)) return false;
    this.#setAgent(next);
    this.#holder.delete(itemId);
    this.#items.delete(itemId);
    if (requeue) this.#insert(requeue);
    return true;
  }

  async transitionAgent(
    agentId: string,
    from: readonly AgentState[],
    to: AgentTransition,
    expectItem?: string,
  ): Promise<{ ok: true; prev: AgentLive; next: AgentLive } | { ok: false; cur: AgentLive | undefined }> {
    const cur = this.#agents.get(agentId);
    if (
      !cur ||
      !from.includes(cur.state) ||
      (expectItem !== undefined && cur.itemId !== expectItem) ||
      (!to.keepItem && cur.itemId !== undefined)
    ) {
      return { ok: false, cur };
    }
    const next = applyTransition(cur, to);
    this.#setAgent(next);
    return { ok: true, prev: cur, next };
  }

  async putAgent(expectedVersion: number, next: AgentLive): Promise<boolean> {
    const cur = this.#agents.get(next.agentId);
    if ((cur?.version ?? -1) !== expectedVersion) return false;
    this.#setAgent(next);
    return true;
  }

  async getAgent(agentId: string): Promise<AgentLive | undefined> {
    return this.#agents.get(agentId);
  }

  async listAgents(): Promise<AgentLive[]> {
    return [...this.#agents.values()];
  }

  async readyAgents(): Promise<{ agentId: string; idleSince: number }[]> {
    return this.#ready.map((a) => ({ agentId: a.agentId, idleSince: a.idleSince }));
  }

  async getItem(itemId: string): Promise<QueueItem | undefined> {
    return this.#items.get(itemId);
  }

  async peek(queueId: string, limit: number): Promise<QueueItem[]> {
    return (this.#queues.get(queueId) ?? []).slice(0, limit);
  }

  async snapshot(
    queueIds: readonly string[],
    limit: number,
  ): Promise<{ ready: { agentId: string; idleSince: number }[]; heads: Map<string, QueueItem[]> }> {
    return { ready: await this.readyAgents(), heads: await this.peekMany(queueIds, limit) };
  }

  async peekMany(queueIds: readonly string[], limit: number): Promise<Map<string, QueueItem[]>> {
    const out = new Map<string, QueueItem[]>();
    for (const q of queueIds) out.set(q, (this.#queues.get(q) ?? []).slice(0, limit));
    return out;
  }

  async queueLength(queueId: string): Promise<number> {
    return this.#queues.get(queueId)?.length ?? 0;
  }

  async position(itemId: string): Promise<{ queueId: string; position: number } | undefined> {
    if (!this.#queued.has(itemId)) return undefined;
    const item = this.#items.get(itemId)!;
    return { queueId: item.queueId, position: lowerBound(this.#queue(item.queueId), item, compareItems) + 1 };
  }

  async holder(itemId: string): Promise<string | undefined> {
    return this.#holder.get(itemId);
  }

  async close(): Promise<void> {}
}
