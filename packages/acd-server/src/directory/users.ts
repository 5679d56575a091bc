import type { Kysely, Transaction } from "kysely";
import { hashPassword, sipHa1 } from "../auth/passwords.js";
import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { Role, Tables } from "../store/tables.js";

/** A user as the API shows it: never a hash. */
export interface UserView {
  id: string;
  displayName: string;
  role: Role;
  languages: string[];
  enabled: boolean;
  skills: Array<{ skillId: string; level: number }>;
}

export interface UserInput {
  id: string;
  displayName: string;
  role: Role;
  password: string;
  languages?: string[];
  enabled?: boolean;
  skills?: Array<{ skillId: string; level: number }>;
}

export type UserPatch = Partial<Omit<UserInput, "id">>;

export interface Actor {
  userId: string;
  sourceIp?: string;
}

type Db = Kysely<Tables> | Transaction<Tables>;

async function credentialColumns(id: string, password: string, realm: string) {
  return {
    password_hash: await hashPassword(password),
    sip_realm: realm,
    sip_ha1_md5: sipHa1("MD5", id, realm, password),
    sip_ha1_sha256: sipHa1("SHA-256", id, realm, password),
  };
}

export class UserDirectory {
  constructor(
    private readonly store: Store,
    private readonly sipRealm: string,
  ) {}

  async list(): Promise<UserView[]> {
    const users = await this.store.db
      .selectFrom("users")
      .select(["id", "display_name", "role", "languages", "enabled"])
      .orderBy("id")
      .execute();
    const skills = await this.store.db.selectFrom("user_skills").selectAll().execute();
    return users.map((u) => ({
      id: u.id,
      displayName: u.display_name,
      role: u.role,
      languages: u.languages,
      enabled: u.enabled,
      skills: skills.filter((s) => s.user_id === u.id).map((s) => ({ skillId: s.skill_id, level: s.level })),
    }));
  }

  async get(id: string, db: Db = this.store.db): Promise<UserView> {
    const u = await db
      .selectFrom("users")
      .select(["id", "display_name", "role", "languages", "enabled"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!u) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no user ${id}`);
    const skills = await db
      .selectFrom("user_skills")
      .selectAll()
      .where("user_id", "=", id)
      .orderBy("skill_id")
      .execute();
    return {
      id: u.id,
      displayName: u.display_name,
      role: u.role,
      languages: u.languages,
      enabled: u.enabled,
      skills: skills.map((s) => ({ skillId: s.skill_id, level: s.level })),
    };
  }

  async create(input: UserInput, actor: Actor): Promise<UserView> {
    const creds = await credentialColumns(input.id, input.password, this.sipRealm);
    return this.store.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom("users").select("id").where("id", "=", input.id).executeTakeFirst();
      if (exists) throw new HotlineError("HOTLINE_ERR_CONFLICT", `user ${input.id} exists`);
      await tx
        .insertInto("users")
        .values({
          id: input.id,
          display_name: input.displayName,
          role: input.role,
          languages: input.languages ?? [],
          enabled: input.enabled ?? true,
          ...creds,
        })
        .execute();
      await replaceSkills(tx, input.id, input.skills ?? []);
      const after = await this.get(input.id, tx);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "create",
        entity: "user",
        entityId: input.id,
        before: null,
        after,
      });
      return after;
    });
  }

  async update(id: string, patch: UserPatch, actor: Actor): Promise<UserView> {
    const creds = patch.password ? await credentialColumns(id, patch.password, this.sipRealm) : {};
    return this.store.db.transaction().execute(async (tx) => {
      const before = await this.get(id, tx);
      await tx
        .updateTable("users")
        .set({
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.languages !== undefined ? { languages: patch.languages } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...creds,
          updated_at: new Date(),
        })
        .where("id", "=", id)
        .execute();
      if (patch.skills) await replaceSkills(tx, id, patch.skills);
      const after = await this.get(id, tx);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: patch.password ? "update+password" : "update",
        entity: "user",
        entityId: id,
        before,
        after,
      });
      return after;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    if (id === actor.userId) throw new HotlineError("HOTLINE_ERR_CONFLICT", "you cannot delete yourself");
    await this.store.db.transaction().execute(async (tx) => {
      const before = await this.get(id, tx);
      await tx.deleteFrom("users").where("id", "=", id).execute();
      await writeAudit(tx, {
        ...auditActor(actor),
        action: "delete",
        entity: "user",
        entityId: id,
        before,
        after: null,
      });
    });
  }
}

async function replaceSkills(tx: Db, userId: string, skills: Array<{ skillId: string; level: number }>) {
  await tx.deleteFrom("user_skills").where("user_id", "=", userId).execute();
  if (skills.length > 0) {
    await tx
      .insertInto("user_skills")
      .values(skills.map((s) => ({ user_id: userId, skill_id: s.skillId, level: s.level })))
      .execute();
  }
}

export function auditActor(actor: Actor): { actor: string; sourceIp?: string } {
  return { actor: actor.userId, ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}) };
}
