import { EventEmitter } from "node:events";
import { type Actor, auditActor } from "../directory/users.js";
import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { TrunkRow, TrunkTransport } from "../store/tables.js";

/** A trunk as the API shows it: the password is never sent back, only whether one is set. */
export interface TrunkView {
  id: string;
  name: string;
  host: string;
  port: number;
  transport: TrunkTransport;
  username: string | null;
  hasPassword: boolean;
  inboundAddresses: string[];
  prefixes: string[];
  channelLimit: number;
  enabled: boolean;
  optionsIntervalSeconds: number;
}

export interface TrunkInput {
  id: string;
  name: string;
  host: string;
  port?: number;
  transport?: TrunkTransport;
  username?: string | null;
  password?: string | null;
  inboundAddresses?: string[];
  prefixes?: string[];
  channelLimit?: number;
  enabled?: boolean;
  optionsIntervalSeconds?: number;
}

export type TrunkPatch = Partial<Omit<TrunkInput, "id">>;

/** What the trunk manager needs of a row, password included (to answer a carrier's challenge). */
export interface TrunkConfig extends Omit<TrunkView, "hasPassword"> {
  password: string | null;
}

export function trunkConfig(r: TrunkRow): TrunkConfig {
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    port: r.port,
    transport: r.transport,
    username: r.username,
    password: r.password,
    inboundAddresses: r.inbound_addresses,
    prefixes: r.prefixes,
    channelLimit: r.channel_limit,
    enabled: r.enabled,
    optionsIntervalSeconds: r.options_interval_s,
  };
}

function view(r: TrunkRow): TrunkView {
  const { password, ...rest } = trunkConfig(r);
  return { ...rest, hasPassword: password !== null && password !== "" };
}

/** Rules across fields: credentials come in pairs. */
function checkCredentials(username: string | null, password: string | null): void {
  if ((username ? 1 : 0) !== (password ? 1 : 0)) {
    throw new HotlineError(
      "HOTLINE_ERR_VALIDATION",
      "username and password go together: set both for outbound digest, or neither",
    );
  }
}

/**
 * The trunks table, with every change audited in its own transaction. `changed` fires after
 * each committed change so the trunk manager reloads (probes start/stop, address list).
 */
export class TrunkRepository extends EventEmitter<{ changed: [] }> {
  constructor(private readonly store: Store) {
    super();
  }

  async list(): Promise<TrunkView[]> {
    return (await this.store.db.selectFrom("trunks").selectAll().orderBy("id").execute()).map(view);
  }

  async configs(): Promise<TrunkConfig[]> {
    return (await this.store.db.selectFrom("trunks").selectAll().orderBy("id").execute()).map(trunkConfig);
  }

  async get(id: string): Promise<TrunkView> {
    const row = await this.store.db.selectFrom("trunks").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no trunk ${id}`);
    return view(row);
  }

  async create(input: TrunkInput, actor: Actor): Promise<TrunkView> {
    checkCredentials(input.username ?? null, input.password ?? null);
    const after = await this.store.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom("trunks").select("id").where("id", "=", input.id).executeTakeFirst();
      if (exists) throw new HotlineError("HOTLINE_ERR_CONFLICT", `trunk ${input.id} exists`);
      const row = await tx
        .insertInto("trunks")
        .values({
          id: input.id,
          name: input.name,
          host: input.host,
          port: input.port,
          transport: input.transport,
          username: input.username ?? null,
          password: input.password ?? null,
          inbound_addresses: input.inboundAddresses,
          prefixes: input.prefixes,
          channel_limit: input.channelLimit,
          enabled: input.enabled,
          options_interval_s: input.optionsIntervalSeconds,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const v = view(row);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "trunk",
        entityId: v.id,
        before: null,
        after: v,
      });
      return v;
    });
    this.emit("changed");
    return after;
  }

  async update(id: string, patch: TrunkPatch, actor: Actor): Promise<TrunkView> {
    const after = await this.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom("trunks")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no trunk ${id}`);
      const username = patch.username === undefined ? row.username : patch.username;
      const password = patch.password === undefined ? row.password : patch.password;
      checkCredentials(username, password);
      const updated = await tx
        .updateTable("trunks")
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.host !== undefined ? { host: patch.host } : {}),
          ...(patch.port !== undefined ? { port: patch.port } : {}),
          ...(patch.transport !== undefined ? { transport: patch.transport } : {}),
          username,
          password,
          ...(patch.inboundAddresses !== undefined ? { inbound_addresses: patch.inboundAddresses } : {}),
          ...(patch.prefixes !== undefined ? { prefixes: patch.prefixes } : {}),
          ...(patch.channelLimit !== undefined ? { channel_limit: patch.channelLimit } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(patch.optionsIntervalSeconds !== undefined
            ? { options_interval_s: patch.optionsIntervalSeconds }
            : {}),
          updated_at: new Date(),
        })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const v = view(updated);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: patch.password !== undefined ? "update+password" : "update",
        entity: "trunk",
        entityId: id,
        before: view(row),
        after: v,
      });
      return v;
    });
    this.emit("changed");
    return after;
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.store.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("trunks").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no trunk ${id}`);
      await tx.deleteFrom("trunks").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "trunk",
        entityId: id,
        before: view(row),
        after: null,
      });
    });
    this.emit("changed");
  }
}

/**
 * The trunk `local`: calls from `addresses` (HOTLINE_SIP_TRUSTED_ADDRESSES, default
 * 127.0.0.1) are taken without digest, so a SIP phone on this machine can dial 12345. Made on
 * the first start with this table. While no admin has touched it, its addresses follow the
 * setting at each start (as the setting alone decided before trunks were a table); once an
 * admin has edited it, or deleted it (audited), their word stands.
 * Resolves with what it did.
 */
export async function ensureLocalTrunk(
  store: Store,
  addresses: readonly string[],
): Promise<"created" | "updated" | "kept"> {
  return store.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("trunks")
      .selectAll()
      .where("id", "=", "local")
      .forUpdate()
      .executeTakeFirst();
    const byAdmin = await tx
      .selectFrom("audit_log")
      .select("id")
      .where("entity", "=", "trunk")
      .where("entity_id", "=", "local")
      .where("actor", "!=", "system")
      .executeTakeFirst();
    if (byAdmin) return "kept";
    if (row) {
      const same =
        row.inbound_addresses.length === addresses.length &&
        row.inbound_addresses.every((a, i) => a === addresses[i]);
      if (same) return "kept";
      const updated = await tx
        .updateTable("trunks")
        .set({ inbound_addresses: [...addresses], updated_at: new Date() })
        .where("id", "=", "local")
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(tx, {
        actor: "system",
        action: "update",
        entity: "trunk",
        entityId: "local",
        before: view(row),
        after: view(updated),
      });
      return "updated";
    }
    const after = await tx
      .insertInto("trunks")
      .values({
        id: "local",
        name: "This machine (demo)",
        host: "127.0.0.1",
        port: 5060,
        transport: "udp",
        inbound_addresses: [...addresses],
        prefixes: [],
        channel_limit: 0,
        // Nothing answers OPTIONS on this machine's 5060 but us: not probed.
        options_interval_s: 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, {
      actor: "system",
      action: "create",
      entity: "trunk",
      entityId: "local",
      before: null,
      after: view(after),
    });
    return "created";
  });
}
