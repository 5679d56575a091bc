import { type FlowIssue, promptCatalogue, validateFlow } from "@hotline12345/ivr-flows";
import type { Kysely, Transaction } from "kysely";
import { type Actor, auditActor } from "../directory/users.js";
import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { Tables } from "../store/tables.js";

/** A stored flow: what it is called, the numbers it answers, which version runs. */
export interface FlowSummary {
  id: string;
  name: string;
  description: string;
  numbers: string[];
  publishedVersion: number | null;
  publishedAt: string | null;
  publishedBy: string | null;
  latestVersion: number | null;
  updatedAt: string;
}

/** One immutable version, without its definition (listing). */
export interface FlowVersionInfo {
  version: number;
  createdBy: string;
  createdAt: string;
  comment: string;
}

export interface FlowVersion extends FlowVersionInfo {
  flowId: string;
  /** The flow document as written, with `id` and `version` stamped by the server. */
  definition: Record<string, unknown>;
}

export interface FlowDetail extends FlowSummary {
  versions: FlowVersionInfo[];
}

export interface FlowCheck {
  valid: boolean;
  errors: FlowIssue[];
  warnings: FlowIssue[];
}

export interface NewFlow {
  id: string;
  name: string;
  description?: string | undefined;
  numbers?: string[] | undefined;
}

export type FlowPatch = Partial<Omit<NewFlow, "id">>;

type Db = Kysely<Tables> | Transaction<Tables>;

const promptNames = Object.keys(promptCatalogue);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Flows in Postgres. Versions are append-only (the table refuses updates, migration 005);
 * every change is audited in its own transaction, like the directory's.
 */
export class FlowRepository {
  constructor(private readonly store: Store) {}

  /**
   * Validates a flow document as the interpreter will (schema, graph, prompt catalogue), then
   * what only the server knows: the queues and calendars it names exist.
   */
  async check(definition: unknown, db: Db = this.store.db): Promise<FlowCheck> {
    const result = validateFlow(definition, { prompts: promptNames });
    if (!result.ok) return { valid: false, errors: result.errors, warnings: result.warnings };
    const errors: FlowIssue[] = [];
    const queues = new Set((await db.selectFrom("queues").select("id").execute()).map((q) => q.id));
    const calendars = new Set((await db.selectFrom("calendars").select("id").execute()).map((c) => c.id));
    for (const [id, node] of Object.entries(result.flow.nodes)) {
      if (node.verb === "enqueue" && !queues.has(node.queue)) {
        errors.push({ path: `nodes.${id}.queue`, message: `no queue "${node.queue}"` });
      }
      if (node.verb === "callback-offer" && node.queue !== undefined && !queues.has(node.queue)) {
        errors.push({ path: `nodes.${id}.queue`, message: `no queue "${node.queue}"` });
      }
      if (node.verb === "condition" && node.test.kind === "calendar" && !calendars.has(node.test.service)) {
        errors.push({ path: `nodes.${id}.test.service`, message: `no calendar "${node.test.service}"` });
      }
    }
    return { valid: errors.length === 0, errors, warnings: result.warnings };
  }

  async list(): Promise<FlowSummary[]> {
    const ids = await this.store.db.selectFrom("flows").select("id").orderBy("id").execute();
    return Promise.all(ids.map((f) => this.summary(f.id)));
  }

  async get(id: string): Promise<FlowDetail> {
    const summary = await this.summary(id);
    const versions = await this.store.db
      .selectFrom("flow_versions")
      .select(["version", "created_by", "created_at", "comment"])
      .where("flow_id", "=", id)
      .orderBy("version", "desc")
      .execute();
    return {
      ...summary,
      versions: versions.map((v) => ({
        version: v.version,
        createdBy: v.created_by,
        createdAt: v.created_at.toISOString(),
        comment: v.comment,
      })),
    };
  }

  async version(id: string, version: number): Promise<FlowVersion> {
    const v = await this.store.db
      .selectFrom("flow_versions")
      .selectAll()
      .where("flow_id", "=", id)
      .where("version", "=", version)
      .executeTakeFirst();
    if (!v) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `flow ${id} has no version ${version}`);
    return {
      flowId: v.flow_id,
      version: v.version,
      createdBy: v.created_by,
      createdAt: v.created_at.toISOString(),
      comment: v.comment,
      definition: isRecord(v.definition) ? v.definition : {},
    };
  }

  async create(input: NewFlow, actor: Actor): Promise<FlowDetail> {
    await this.store.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom("flows").select("id").where("id", "=", input.id).executeTakeFirst();
      if (exists) throw new HotlineError("HOTLINE_ERR_CONFLICT", `flow ${input.id} already exists`);
      await tx
        .insertInto("flows")
        .values({ id: input.id, name: input.name, description: input.description ?? "" })
        .execute();
      await this.#setNumbers(tx, input.id, input.numbers ?? []);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "flow",
        entityId: input.id,
        before: null,
        after: { ...input, numbers: input.numbers ?? [] },
      });
    });
    return this.get(input.id);
  }

  async update(id: string, patch: FlowPatch, actor: Actor): Promise<FlowDetail> {
    await this.store.db.transaction().execute(async (tx) => {
      const before = await this.summary(id, tx);
      const set: { name?: string; description?: string; updated_at: Date } = { updated_at: new Date() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      await tx.updateTable("flows").set(set).where("id", "=", id).execute();
      if (patch.numbers !== undefined) await this.#setNumbers(tx, id, patch.numbers);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "update",
        entity: "flow",
        entityId: id,
        before,
        after: await this.summary(id, tx),
      });
    });
    return this.get(id);
  }

  /**
   * Appends a version. An invalid document is refused with the issues (each naming its node)
   * and nothing is stored. Two admins adding at once: the second gets a conflict (primary key).
   */
  async addVersion(
    id: string,
    definition: unknown,
    comment: string,
    actor: Actor,
  ): Promise<FlowVersion & { warnings: FlowIssue[] }> {
    const warnings = await this.store.db.transaction().execute(async (tx) => {
      await this.summary(id, tx);
      const last = await tx
        .selectFrom("flow_versions")
        .select((eb) => eb.fn.max("version").as("v"))
        .where("flow_id", "=", id)
        .executeTakeFirst();
      const version = (last?.v ?? 0) + 1;
      const stamped = isRecord(definition) ? { ...definition, id, version } : definition;
      const check = await this.check(stamped, tx);
      if (!check.valid) throw invalidFlow(check);
      await tx
        .insertInto("flow_versions")
        .values({
          flow_id: id,
          version,
          definition: JSON.stringify(stamped),
          created_by: actor.userId,
          comment,
        })
        .execute();
      await tx.updateTable("flows").set({ updated_at: new Date() }).where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "add-version",
        entity: "flow",
        entityId: id,
        before: null,
        after: { version, comment },
      });
      return { version, warnings: check.warnings };
    });
    return { ...(await this.version(id, warnings.version)), warnings: warnings.warnings };
  }

  /** Points the flow at one of its versions; publishing an older one is the rollback. */
  async publish(id: string, version: number, actor: Actor): Promise<FlowDetail> {
    await this.store.db.transaction().execute(async (tx) => {
      const before = await this.summary(id, tx);
      const v = await tx
        .selectFrom("flow_versions")
        .select("definition")
        .where("flow_id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      if (!v) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `flow ${id} has no version ${version}`);
      // A version valid when stored may name a queue deleted since: refuse to publish it.
      const check = await this.check(v.definition, tx);
      if (!check.valid) throw invalidFlow(check);
      const now = new Date();
      await tx
        .updateTable("flows")
        .set({ published_version: version, published_at: now, published_by: actor.userId, updated_at: now })
        .where("id", "=", id)
        .execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action:
          before.publishedVersion !== null && version < before.publishedVersion ? "rollback" : "publish",
        entity: "flow",
        entityId: id,
        before: { publishedVersion: before.publishedVersion },
        after: { publishedVersion: version },
      });
    });
    return this.get(id);
  }

  /** The published definition of the flow answering `number`, or null when none does. */
  async publishedFor(
    number: string,
  ): Promise<{ flowId: string; version: number; definition: unknown } | null> {
    const row = await this.store.db
      .selectFrom("flow_numbers")
      .innerJoin("flows", "flows.id", "flow_numbers.flow_id")
      .innerJoin("flow_versions", (j) =>
        j
          .onRef("flow_versions.flow_id", "=", "flows.id")
          .onRef("flow_versions.version", "=", "flows.published_version"),
      )
      .select([
        "flows.id as flowId",
        "flow_versions.version as version",
        "flow_versions.definition as definition",
      ])
      .where("flow_numbers.number", "=", number)
      .executeTakeFirst();
    return row ?? null;
  }

  async summary(id: string, db: Db = this.store.db): Promise<FlowSummary> {
    const f = await db.selectFrom("flows").selectAll().where("id", "=", id).executeTakeFirst();
    if (!f) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no flow ${id}`);
    const numbers = await db
      .selectFrom("flow_numbers")
      .select("number")
      .where("flow_id", "=", id)
      .orderBy("number")
      .execute();
    const last = await db
      .selectFrom("flow_versions")
      .select((eb) => eb.fn.max("version").as("v"))
      .where("flow_id", "=", id)
      .executeTakeFirst();
    return {
      id: f.id,
      name: f.name,
      description: f.description,
      numbers: numbers.map((n) => n.number),
      publishedVersion: f.published_version,
      publishedAt: f.published_at?.toISOString() ?? null,
      publishedBy: f.published_by,
      latestVersion: last?.v ?? null,
      updatedAt: f.updated_at.toISOString(),
    };
  }

  async #setNumbers(tx: Transaction<Tables>, id: string, numbers: string[]): Promise<void> {
    const unique = [...new Set(numbers)];
    if (unique.length > 0) {
      const taken = await tx
        .selectFrom("flow_numbers")
        .selectAll()
        .where("number", "in", unique)
        .where("flow_id", "!=", id)
        .execute();
      if (taken.length > 0) {
        throw new HotlineError(
          "HOTLINE_ERR_FLOW_NUMBER_TAKEN",
          taken.map((t) => `${t.number} is answered by flow ${t.flow_id}`).join("; "),
          { details: { numbers: taken.map((t) => ({ number: t.number, flowId: t.flow_id })) } },
        );
      }
    }
    await tx.deleteFrom("flow_numbers").where("flow_id", "=", id).execute();
    if (unique.length > 0) {
      await tx
        .insertInto("flow_numbers")
        .values(unique.map((number) => ({ number, flow_id: id })))
        .execute();
    }
  }
}

/** The API error for a flow document that does not validate: every issue, each with its path. */
export function invalidFlow(check: FlowCheck): HotlineError {
  const first = check.errors[0];
  return new HotlineError(
    "HOTLINE_ERR_FLOW_INVALID",
    `invalid flow: ${first ? `${first.path}: ${first.message}` : "unknown problem"}` +
      (check.errors.length > 1 ? ` (and ${check.errors.length - 1} more)` : ""),
    { details: { errors: check.errors, warnings: check.warnings } },
  );
}
