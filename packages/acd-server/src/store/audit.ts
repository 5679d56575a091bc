import type { Kysely, Transaction } from "kysely";
import type { Tables } from "./tables.js";

export interface AuditEntry {
  actor: string;
  action: "create" | "update" | "delete" | "unlock" | string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  sourceIp?: string | undefined;
}

/** Writes one audit row; called inside the same transaction as the change it records. */
export async function writeAudit(db: Kysely<Tables> | Transaction<Tables>, e: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor: e.actor,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
      source_ip: e.sourceIp ?? null,
    })
    .execute();
}
