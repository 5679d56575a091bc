import { type Actor, auditActor } from "../directory/users.js";
import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { WebhookRow } from "../store/tables.js";
import type { WebhookEvent } from "./webhooks.js";

/** A subscription as the API shows it: the secret is write-only. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
  hasSecret: boolean;
}

export interface WebhookInput {
  id: string;
  url: string;
  secret: string;
  events: WebhookEvent[];
  enabled?: boolean;
}

export type WebhookPatch = Partial<Omit<WebhookInput, "id">>;

export interface DeliveryView {
  deliveryId: string;
  event: string;
  attempts: number;
  outcome: "delivered" | "failed";
  lastStatus: number | null;
  lastError: string | null;
  at: string;
}

function view(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    url: r.url,
    events: r.events as WebhookEvent[],
    enabled: r.enabled,
    hasSecret: r.secret.length > 0,
  };
}

/** Webhook subscriptions; every change audited (the secret never appears in the audit). */
export class WebhookRepository {
  constructor(private readonly store: Store) {}

  async list(): Promise<WebhookView[]> {
    return (await this.store.db.selectFrom("webhooks").selectAll().orderBy("id").execute()).map(view);
  }

  async get(id: string): Promise<WebhookView> {
    const row = await this.store.db
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no webhook ${id}`);
    return view(row);
  }

  async deliveries(id: string, limit = 50): Promise<DeliveryView[]> {
    await this.get(id);
    const rows = await this.store.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("webhook_id", "=", id)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      event: r.event,
      attempts: r.attempts,
      outcome: r.outcome,
      lastStatus: r.last_status,
      lastError: r.last_error,
      at: new Date(r.at).toISOString(),
    }));
  }

  async create(input: WebhookInput, actor: Actor): Promise<WebhookView> {
    return this.store.db.transaction().execute(async (tx) => {
      const exists = await tx
        .selectFrom("webhooks")
        .select("id")
        .where("id", "=", input.id)
        .executeTakeFirst();
      if (exists) throw new HotlineError("HOTLINE_ERR_CONFLICT", `webhook ${input.id} exists`);
      const row = await tx
        .insertInto("webhooks")
        .values({
          id: input.id,
          url: input.url,
          secret: input.secret,
          events: [...new Set(input.events)],
          enabled: input.enabled,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = view(row);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "webhook",
        entityId: after.id,
        before: null,
        after,
      });
      return after;
    });
  }

  async update(id: string, patch: WebhookPatch, actor: Actor): Promise<WebhookView> {
    return this.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom("webhooks")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no webhook ${id}`);
      const updated = await tx
        .updateTable("webhooks")
        .set({
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.secret !== undefined ? { secret: patch.secret } : {}),
          ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updated_at: new Date(),
        })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = view(updated);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: patch.secret !== undefined ? "update+secret" : "update",
        entity: "webhook",
        entityId: id,
        before: view(row),
        after,
      });
      return after;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no webhook ${id}`);
      await tx.deleteFrom("webhooks").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "webhook",
        entityId: id,
        before: view(row),
        after: null,
      });
    });
  }
}
