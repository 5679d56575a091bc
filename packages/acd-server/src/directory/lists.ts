import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { ListEntryRow, ListName } from "../store/tables.js";
import { type Actor, auditActor } from "./users.js";

export interface ListEntryView {
  id: string;
  list: ListName;
  pattern: string;
  match: "exact" | "prefix";
  /** black list: reject | notice | queue:<id> */
  action: string | null;
  /** priority list: 1..9, higher answered first */
  priority: number | null;
  reason: string;
  expiresAt: string | null;
  addedBy: string;
  createdAt: string;
}

export type ListEntryInput = Pick<ListEntryView, "list" | "pattern" | "match" | "reason"> & {
  action?: string | null;
  priority?: number | null;
  expiresAt?: string | null;
};

function view(r: ListEntryRow): ListEntryView {
  return {
    id: String(r.id),
    list: r.list,
    pattern: r.pattern,
    match: r.match,
    action: r.action,
    priority: r.priority,
    reason: r.reason,
    expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
    addedBy: r.added_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Rules the database cannot say alone: which fields each list takes. */
function checkShape(e: ListEntryInput): void {
  if (e.list === "black" && !e.action) {
    throw new HotlineError(
      "HOTLINE_ERR_VALIDATION",
      "a black-list entry needs an action: reject, notice or queue:<id>",
    );
  }
  if (e.list !== "black" && e.action)
    throw new HotlineError("HOTLINE_ERR_VALIDATION", "only black-list entries take an action");
  if (e.list === "priority" && !e.priority) {
    throw new HotlineError(
      "HOTLINE_ERR_VALIDATION",
      "a priority entry needs a priority from 1 to 9 (higher is answered first)",
    );
  }
  if (e.list !== "priority" && e.priority)
    throw new HotlineError("HOTLINE_ERR_VALIDATION", "only priority entries take a priority");
}

export class ListDirectory {
  constructor(private readonly store: Store) {}

  async list(list?: ListName): Promise<ListEntryView[]> {
    let q = this.store.db.selectFrom("list_entries").selectAll().orderBy("list").orderBy("pattern");
    if (list) q = q.where("list", "=", list);
    return (await q.execute()).map(view);
  }

  async add(input: ListEntryInput, actor: Actor): Promise<ListEntryView> {
    checkShape(input);
    return this.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto("list_entries")
        .values({
          list: input.list,
          pattern: input.pattern,
          match: input.match,
          action: input.action ?? null,
          priority: input.priority ?? null,
          reason: input.reason,
          expires_at: input.expiresAt ?? null,
          added_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = view(row);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "list-entry",
        entityId: after.id,
        before: null,
        after,
      });
      return after;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("list_entries").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no list entry ${id}`);
      await tx.deleteFrom("list_entries").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "list-entry",
        entityId: id,
        before: view(row),
        after: null,
      });
    });
  }
}
