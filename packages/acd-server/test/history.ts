import type { TestApp } from "./app.js";

/** An agent's history rows, oldest first, as (from, to, reason). */
export async function historyOf(t: TestApp, agentId: string) {
  await t.runtime.flushHistory();
  return t.store.db
    .selectFrom("agent_state_history")
    .select(["from_state", "to_state", "reason"])
    .where("agent_id", "=", agentId)
    .orderBy("id")
    .execute();
}
