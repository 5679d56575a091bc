import type { Transaction, Updateable } from "kysely";
import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { QueueStrategy, QueuesTable, ScreenPopMode, ScreenPopWhen, Tables } from "../store/tables.js";
import { type Actor, auditActor } from "./users.js";

export interface SkillView {
  id: string;
  name: string;
  description: string;
}

export interface QueueView {
  id: string;
  name: string;
  strategy: QueueStrategy;
  ringTimeoutSeconds: number;
  maxWaitSeconds: number;
  maxSize: number;
  overflowTarget: string | null;
  announceIntervalSeconds: number;
  serviceLevelSeconds: number;
  wrapUpSeconds: number;
  calendarId: string | null;
  /** The business system's page for a call: a template (see calls/screen-pop.ts). */
  screenPopUrl: string | null;
  /** Beside the call in the desk, or in a new browser tab. */
  screenPopMode: ScreenPopMode;
  /** When the call is answered, or already when it is offered (ringing). */
  screenPopWhen: ScreenPopWhen;
  /** WebSocket that answered calls' live audio is sent to (ws:// or wss://); null = none. */
  voiceStreamUrl: string | null;
  skills: Array<{ skillId: string; minLevel: number }>;
  members: string[];
}

export type QueueInput = Omit<
  QueueView,
  "skills" | "members" | "screenPopMode" | "screenPopWhen" | "voiceStreamUrl"
> & {
  /** Default none. */
  voiceStreamUrl?: string | null;
  skills?: QueueView["skills"];
  members?: string[];
  /** Default `iframe`. */
  screenPopMode?: ScreenPopMode;
  /** Default `answered`. */
  screenPopWhen?: ScreenPopWhen;
};
export type QueuePatch = Partial<Omit<QueueInput, "id">>;

type Tx = Transaction<Tables>;

export class QueueDirectory {
  constructor(private readonly store: Store) {}

  listSkills(): Promise<SkillView[]> {
    return this.store.db.selectFrom("skills").selectAll().orderBy("id").execute();
  }

  async putSkill(skill: SkillView, actor: Actor): Promise<SkillView> {
    return this.store.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom("skills").selectAll().where("id", "=", skill.id).executeTakeFirst();
      await tx
        .insertInto("skills")
        .values(skill)
        .onConflict((oc) => oc.column("id").doUpdateSet({ name: skill.name, description: skill.description }))
        .execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: before ? "update" : "create",
        entity: "skill",
        entityId: skill.id,
        before: before ?? null,
        after: skill,
      });
      return skill;
    });
  }

  async removeSkill(id: string, actor: Actor): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom("skills").selectAll().where("id", "=", id).executeTakeFirst();
      if (!before) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no skill ${id}`);
      await tx.deleteFrom("skills").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "skill",
        entityId: id,
        before,
        after: null,
      });
    });
  }

  async list(): Promise<QueueView[]> {
    const ids = await this.store.db.selectFrom("queues").select("id").orderBy("id").execute();
    return this.store.db.transaction().execute(async (tx) => Promise.all(ids.map((q) => this.get(q.id, tx))));
  }

  async get(id: string, db: Tx | Store["db"] = this.store.db): Promise<QueueView> {
    const q = await db.selectFrom("queues").selectAll().where("id", "=", id).executeTakeFirst();
    if (!q) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no queue ${id}`);
    const skills = await db
      .selectFrom("queue_skills")
      .selectAll()
      .where("queue_id", "=", id)
      .orderBy("skill_id")
      .execute();
    const members = await db
      .selectFrom("queue_members")
      .select("user_id")
      .where("queue_id", "=", id)
      .orderBy("user_id")
      .execute();
    return {
      id: q.id,
      name: q.name,
      strategy: q.strategy,
      ringTimeoutSeconds: q.ring_timeout_s,
      maxWaitSeconds: q.max_wait_s,
      maxSize: q.max_size,
      overflowTarget: q.overflow_target,
      announceIntervalSeconds: q.announce_interval_s,
      serviceLevelSeconds: q.service_level_s,
      wrapUpSeconds: q.wrap_up_s,
      calendarId: q.calendar_id,
      screenPopUrl: q.screen_pop_url,
      screenPopMode: q.screen_pop_mode,
      screenPopWhen: q.screen_pop_when,
      voiceStreamUrl: q.voice_stream_url,
      skills: skills.map((s) => ({ skillId: s.skill_id, minLevel: s.min_level })),
      members: members.map((m) => m.user_id),
    };
  }

  async create(input: QueueInput, actor: Actor): Promise<QueueView> {
    return this.store.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom("queues").select("id").where("id", "=", input.id).executeTakeFirst();
      if (exists) throw new HotlineError("HOTLINE_ERR_CONFLICT", `queue ${input.id} exists`);
      await tx
        .insertInto("queues")
        .values({ ...columns(input), id: input.id, name: input.name })
        .execute();
      await replaceChildren(tx, input.id, input);
      const after = await this.get(input.id, tx);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "queue",
        entityId: input.id,
        before: null,
        after,
      });
      return after;
    });
  }

  async update(id: string, patch: QueuePatch, actor: Actor): Promise<QueueView> {
    return this.store.db.transaction().execute(async (tx) => {
      const before = await this.get(id, tx);
      const set = columns(patch);
      if (Object.keys(set).length > 0) {
        await tx
          .updateTable("queues")
          .set({ ...set, updated_at: new Date() })
          .where("id", "=", id)
          .execute();
      }
      await replaceChildren(tx, id, patch);
      const after = await this.get(id, tx);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "update",
        entity: "queue",
        entityId: id,
        before,
        after,
      });
      return after;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      const before = await this.get(id, tx);
      await tx.deleteFrom("queues").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "queue",
        entityId: id,
        before,
        after: null,
      });
    });
  }
}

/** API field names → column names, for the fields present. */
function columns(q: QueuePatch): Updateable<QueuesTable> {
  const set: Updateable<QueuesTable> = {};
  if (q.name !== undefined) set.name = q.name;
  if (q.strategy !== undefined) set.strategy = q.strategy;
  if (q.ringTimeoutSeconds !== undefined) set.ring_timeout_s = q.ringTimeoutSeconds;
  if (q.maxWaitSeconds !== undefined) set.max_wait_s = q.maxWaitSeconds;
  if (q.maxSize !== undefined) set.max_size = q.maxSize;
  if (q.overflowTarget !== undefined) set.overflow_target = q.overflowTarget;
  if (q.announceIntervalSeconds !== undefined) set.announce_interval_s = q.announceIntervalSeconds;
  if (q.serviceLevelSeconds !== undefined) set.service_level_s = q.serviceLevelSeconds;
  if (q.wrapUpSeconds !== undefined) set.wrap_up_s = q.wrapUpSeconds;
  if (q.calendarId !== undefined) set.calendar_id = q.calendarId;
  if (q.screenPopUrl !== undefined) set.screen_pop_url = q.screenPopUrl;
  if (q.screenPopMode !== undefined) set.screen_pop_mode = q.screenPopMode;
  if (q.screenPopWhen !== undefined) set.screen_pop_when = q.screenPopWhen;
  if (q.voiceStreamUrl !== undefined) set.voice_stream_url = q.voiceStreamUrl;
  return set;
}

async function replaceChildren(tx: Tx, queueId: string, q: QueuePatch): Promise<void> {
  if (q.skills) {
    await tx.deleteFrom("queue_skills").where("queue_id", "=", queueId).execute();
    if (q.skills.length > 0) {
      await tx
        .insertInto("queue_skills")
        .values(q.skills.map((s) => ({ queue_id: queueId, skill_id: s.skillId, min_level: s.minLevel })))
        .execute();
    }
  }
  if (q.members) {
    await tx.deleteFrom("queue_members").where("queue_id", "=", queueId).execute();
    if (q.members.length > 0) {
      await tx
        .insertInto("queue_members")
        .values(q.members.map((m) => ({ queue_id: queueId, user_id: m })))
        .execute();
    }
  }
}
