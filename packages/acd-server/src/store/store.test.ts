import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeKinds } from "../../test/stores.js";
import { CalendarDirectory } from "../directory/calendars.js";
import { ListDirectory } from "../directory/lists.js";
import { QueueDirectory } from "../directory/queues.js";
import { UserDirectory } from "../directory/users.js";
import { HotlineError } from "../errors.js";
import { listMigrations, migrate, type Store } from "./store.js";
import type { WeeklyHours } from "./tables.js";

const admin = { userId: "9001", sourceIp: "127.0.0.1" };

describe.each(storeKinds)("store on $name", (kind) => {
  let store: Store & { dispose(): Promise<void> };
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it("applies every migration once, and a second run applies none", async () => {
    const rows = await sql<{
      version: string;
    }>`select version from schema_migrations order by version`.execute(store.db);
    expect(rows.rows.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
    expect(await migrate(store)).toEqual([]);
    expect(await store.ping()).toBe(true);
  });

  it("creates, reads, updates and deletes a user, auditing each change with before and after", async () => {
    const users = new UserDirectory(store, "localhost");
    const queues = new QueueDirectory(store);
    await queues.putSkill({ id: "mandarin", name: "普通话", description: "" }, admin);
    const created = await users.create(
      {
        id: "1001",
        displayName: "张伟",
        role: "agent",
        password: "secret-1001",
        skills: [{ skillId: "mandarin", level: 7 }],
      },
      admin,
    );
    expect(created).toEqual({
      id: "1001",
      displayName: "张伟",
      role: "agent",
      languages: [],
      enabled: true,
      skills: [{ skillId: "mandarin", level: 7 }],
    });
    const updated = await users.update("1001", { displayName: "张伟 (组长)", skills: [] }, admin);
    expect(updated.displayName).toBe("张伟 (组长)");
    expect(updated.skills).toEqual([]);
    await users.remove("1001", admin);
    await expect(users.get("1001")).rejects.toMatchObject({ code: "HOTLINE_ERR_NOT_FOUND" });

    const audit = await store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "user")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "update", "delete"]);
    expect(audit[1]?.before).toMatchObject({
      displayName: "张伟",
      skills: [{ skillId: "mandarin", level: 7 }],
    });
    expect(audit[1]?.after).toMatchObject({ displayName: "张伟 (组长)", skills: [] });
    expect(audit.every((a) => a.actor === "9001" && a.source_ip === "127.0.0.1")).toBe(true);
  });

  it("keeps the SIP digest HA1 per algorithm, never the password", async () => {
    const users = new UserDirectory(store, "localhost");
    await users.create({ id: "1002", displayName: "李娜", role: "agent", password: "hotline-1002" }, admin);
    const row = await store.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", "1002")
      .executeTakeFirstOrThrow();
    // md5("1002:localhost:hotline-1002")
    expect(row.sip_ha1_md5).toMatch(/^[0-9a-f]{32}$/);
    expect(row.sip_ha1_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain("hotline-1002");
  });

  it("refuses a duplicate user and leaves the first untouched", async () => {
    const users = new UserDirectory(store, "localhost");
    await users.create({ id: "1003", displayName: "王芳", role: "agent", password: "password-1" }, admin);
    await expect(
      users.create({ id: "1003", displayName: "Other", role: "admin", password: "password-2" }, admin),
    ).rejects.toBeInstanceOf(HotlineError);
    expect((await users.get("1003")).displayName).toBe("王芳");
    expect(await store.db.selectFrom("audit_log").select("id").execute()).toHaveLength(1);
  });

  it("rolls back a queue change that refers to a missing skill, keeping the queue as it was", async () => {
    const queues = new QueueDirectory(store);
    await queues.putSkill({ id: "english", name: "English", description: "" }, admin);
    const q = await queues.create(
      {
        id: "english",
        name: "English",
        strategy: "longest-idle",
        ringTimeoutSeconds: 20,
        maxWaitSeconds: 600,
        maxSize: 100,
        overflowTarget: null,
        announceIntervalSeconds: 30,
        serviceLevelSeconds: 15,
        wrapUpSeconds: 30,
        calendarId: null,
        screenPopUrl: null,
        skills: [{ skillId: "english", minLevel: 3 }],
      },
      admin,
    );
    expect(q.skills).toEqual([{ skillId: "english", minLevel: 3 }]);
    await expect(
      queues.update("english", { name: "Renamed", skills: [{ skillId: "klingon", minLevel: 1 }] }, admin),
    ).rejects.toMatchObject({ code: "23503" });
    const after = await queues.get("english");
    expect(after.name).toBe("English");
    expect(after.skills).toEqual([{ skillId: "english", minLevel: 3 }]);
  });

  it("stores black, white and priority entries with the fields each list takes", async () => {
    const lists = new ListDirectory(store);
    const black = await lists.add(
      {
        list: "black",
        pattern: "13900000000",
        match: "exact",
        action: "notice",
        reason: "harassment",
        expiresAt: "2027-01-01T00:00:00Z",
      },
      admin,
    );
    expect(black).toMatchObject({
      list: "black",
      action: "notice",
      addedBy: "9001",
      expiresAt: "2027-01-01T00:00:00.000Z",
    });
    await expect(
      lists.add({ list: "black", pattern: "139", match: "prefix", reason: "" }, admin),
    ).rejects.toMatchObject({
      code: "HOTLINE_ERR_VALIDATION",
    });
    await lists.add(
      { list: "priority", pattern: "138", match: "prefix", priority: 2, reason: "designated" },
      admin,
    );
    expect((await lists.list("priority")).map((e) => e.pattern)).toEqual(["138"]);
    await lists.remove(black.id, admin);
    expect(await lists.list("black")).toEqual([]);
  });

  it("replaces a calendar with its holidays and adjusted working days", async () => {
    const calendars = new CalendarDirectory(store);
    const weekly: WeeklyHours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    const cal = await calendars.put(
      {
        id: "english",
        name: "English",
        timeZone: "Asia/Shanghai",
        weekly: { ...weekly, mon: [["08:30", "17:30"]] },
        days: [
          { day: "2026-02-17", kind: "holiday", name: "春节" },
          { day: "2026-02-14", kind: "workday", name: "春节调休" },
        ],
      },
      admin,
    );
    expect(cal.days).toEqual([
      { day: "2026-02-14", kind: "workday", name: "春节调休" },
      { day: "2026-02-17", kind: "holiday", name: "春节" },
    ]);
    const replaced = await calendars.put({ ...cal, days: [] }, admin);
    expect(replaced.days).toEqual([]);
    expect(replaced.weekly.mon).toEqual([["08:30", "17:30"]]);
  });
});
