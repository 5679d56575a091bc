/**
 * What a caller dialled, as the call center reads it: the hotline number itself, the hotline
 * number followed by an agent's id (one-to-one answering, e.g. 12345 + 1001 = 123451001, the
 * way 12345 centers publish an agent's "工号" for a caller to reach them again), or anything else.
 *
 * Pure: no store, no engine. The session decides what an agent target means (see
 * `oneToOneTarget`).
 */
export type Dialled = { kind: "hotline" } | { kind: "agent"; agentId: string } | { kind: "unknown" };

/** Agent ids a caller can key in on a phone pad: digits only, 1–8 of them. */
const agentDigits = /^[0-9]{1,8}$/;

/**
 * The user part of a Request-URI as dialled. RFC 3261 §19.1.4: escaped and unescaped forms of
 * the same character are equal, so `%2A21` is `*21`; a trunk may also send the number in
 * international form (+86…), which the hotline number never is.
 */
export function dialledDigits(user: string): string {
  let s: string;
  try {
    s = decodeURIComponent(user);
  } catch {
    s = user;
  }
  // Visual separators (RFC 3966 §5.1.1) some phones keep in what the user typed.
  return s.replace(/[-.() ]/g, "");
}

export function parseDialled(to: string, hotlineNumber: string): Dialled {
  const n = dialledDigits(to);
  if (n === hotlineNumber) return { kind: "hotline" };
  if (n.startsWith(hotlineNumber)) {
    const rest = n.slice(hotlineNumber.length);
    if (agentDigits.test(rest)) return { kind: "agent", agentId: rest };
  }
  return { kind: "unknown" };
}

/** What the session needs to know of the agents to route a one-to-one call. */
export interface AgentQueues {
  /** The queues the agent is a member of, in a stable order; empty for an unknown agent. */
  queuesOf(agentId: string): readonly string[];
}

export type OneToOne =
  | { kind: "none" }
  | { kind: "agent"; agentId: string; queueId: string }
  /** The number named an agent who serves no queue (unknown, disabled, or no membership). */
  | { kind: "unknown-agent"; agentId: string };

/**
 * The ACD enqueue fields for a call to one agent: `targetAgent`, and a queue that agent serves
 * (the ACD only offers an item to the members of its queue). The flow's own queue is kept when
 * the agent serves it, so the queue's rules (announcements, wrap-up) still apply; otherwise the
 * agent's first queue. A number naming no agent who can take calls routes as a plain hotline
 * call (`unknown-agent`), as a 12345 center does when a caller keys a wrong 工号: nobody is
 * refused for a typo.
 */
export function oneToOneTarget(dialled: Dialled, flowQueue: string, agents: AgentQueues): OneToOne {
  if (dialled.kind !== "agent") return { kind: "none" };
  const queues = agents.queuesOf(dialled.agentId);
  if (queues.length === 0) return { kind: "unknown-agent", agentId: dialled.agentId };
  const queueId = queues.includes(flowQueue) ? flowQueue : (queues[0] as string);
  return { kind: "agent", agentId: dialled.agentId, queueId };
}
