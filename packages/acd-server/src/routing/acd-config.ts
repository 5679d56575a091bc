import type { AgentProfile, OverflowTarget, QueueConfig, RoutingStrategy } from "../acd/index.js";
import type { Store } from "../store/store.js";

/** Reads what the ACD needs from the system of record: queues and the agents who can take calls. */
export async function loadAcdConfig(
  store: Store,
): Promise<{ queues: QueueConfig[]; agents: AgentProfile[] }> {
  const queues = await store.db.selectFrom("queues").selectAll().orderBy("id").execute();
  const queueSkills = await store.db.selectFrom("queue_skills").selectAll().execute();
  const users = await store.db
    .selectFrom("users")
    .select(["id", "display_name", "languages"])
    .where("enabled", "=", true)
    .where("role", "in", ["agent", "supervisor"])
    .orderBy("id")
    .execute();
  const userSkills = await store.db.selectFrom("user_skills").selectAll().execute();
  return {
    queues: queues.map((q) => ({
      id: q.id,
      name: q.name,
      requiredSkills: Object.fromEntries(
        queueSkills.filter((s) => s.queue_id === q.id).map((s) => [s.skill_id, s.min_level]),
      ),
      strategy: q.strategy as RoutingStrategy,
      ringTimeoutMs: q.ring_timeout_s * 1000,
      maxWaitMs: q.max_wait_s * 1000,
      maxSize: q.max_size,
      ...(q.overflow_target ? { overflow: parseOverflow(q.overflow_target) } : {}),
      announceIntervalMs: q.announce_interval_s * 1000,
      serviceLevelMs: q.service_level_s * 1000,
      wrapUpMs: q.wrap_up_s * 1000,
    })),
    agents: users.map((u) => ({
      id: u.id,
      name: u.display_name,
      skills: Object.fromEntries(
        userSkills.filter((s) => s.user_id === u.id).map((s) => [s.skill_id, s.level]),
      ),
      languages: u.languages,
    })),
  };
}

/** `queue:<id>` | `voicemail` | `callback`, as the queues table keeps it. */
export function parseOverflow(target: string): OverflowTarget {
  if (target.startsWith("queue:")) return { kind: "queue", queueId: target.slice("queue:".length) };
  if (target === "voicemail") return { kind: "voicemail", mailbox: "default" };
  return { kind: "callback" };
}
