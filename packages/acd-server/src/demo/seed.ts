import { defaultFlow } from "@hotline12345/ivr-flows";
import type { Logger } from "pino";
import { CN_HOLIDAY_SCHEDULES } from "../acd/index.js";
import { verifyPassword } from "../auth/passwords.js";
import type { CalendarDay } from "../directory/calendars.js";
import { CalendarDirectory } from "../directory/calendars.js";
import { ListDirectory } from "../directory/lists.js";
import { QueueDirectory } from "../directory/queues.js";
import { type Actor, UserDirectory } from "../directory/users.js";
import { FlowRepository } from "../flows/repository.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { Role, WeeklyHours } from "../store/tables.js";
import { ensureLocalTrunk } from "../trunks/repository.js";

/** The demo accounts. Each one's password, for web login and SIP alike, is `hotline-<id>`. */
export const demoAccounts: ReadonlyArray<{
  id: string;
  displayName: string;
  role: Role;
  languages: string[];
  skills: Array<{ skillId: string; level: number }>;
}> = [
  {
    id: "1001",
    displayName: "张伟",
    role: "agent",
    languages: ["zh"],
    skills: [{ skillId: "mandarin", level: 8 }],
  },
  {
    id: "1002",
    displayName: "李娜",
    role: "agent",
    languages: ["zh"],
    skills: [{ skillId: "mandarin", level: 6 }],
  },
  {
    id: "1003",
    displayName: "王芳",
    role: "agent",
    languages: ["zh", "csl"],
    skills: [
      { skillId: "mandarin", level: 5 },
      { skillId: "sign-language", level: 7 },
    ],
  },
  {
    id: "1004",
    displayName: "Emily Chen",
    role: "agent",
    languages: ["zh", "en"],
    skills: [
      { skillId: "mandarin", level: 4 },
      { skillId: "english", level: 9 },
    ],
  },
  { id: "2001", displayName: "赵班长", role: "supervisor", languages: ["zh", "en"], skills: [] },
  { id: "9001", displayName: "系统管理员", role: "admin", languages: ["zh"], skills: [] },
];

export const demoPassword = (id: string) => `hotline-${id}`;

const officeHours: WeeklyHours = {
  mon: [["08:30", "17:30"]],
  tue: [["08:30", "17:30"]],
  wed: [["08:30", "17:30"]],
  thu: [["08:30", "17:30"]],
  fri: [["08:30", "17:30"]],
  sat: [],
  sun: [],
};

/** The State Council's public holidays and adjusted working days (调休) the project knows of. */
export function officialHolidayDays(): CalendarDay[] {
  return CN_HOLIDAY_SCHEDULES.flatMap((y) => [
    ...y.holidays.map((d) => ({ day: d.date, kind: "holiday" as const, name: d.name })),
    ...y.workdays.map((d) => ({ day: d.date, kind: "workday" as const, name: d.name })),
  ]);
}

/**
 * Seeds the demo hotline on a first start (an empty users table); a later start changes
 * nothing, so admins' edits survive restarts.
 */
export async function seedDemoData(store: Store, log: Logger): Promise<boolean> {
  const any = await store.db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (any) return false;
  const actor: Actor = { userId: "system" };
  const queues = new QueueDirectory(store);
  for (const skill of [
    { id: "mandarin", name: "普通话", description: "Mandarin service" },
    { id: "english", name: "English", description: "English service" },
    { id: "sign-language", name: "手语", description: "Sign-language video service" },
  ]) {
    await queues.putSkill(skill, actor);
  }
  const users = new UserDirectory(store, "localhost");
  for (const a of demoAccounts) await users.create({ ...a, password: demoPassword(a.id) }, actor);

  const calendars = new CalendarDirectory(store);
  await calendars.put(
    {
      id: "english",
      name: "English service hours",
      timeZone: "Asia/Shanghai",
      weekly: officeHours,
      days: officialHolidayDays(),
    },
    actor,
  );
  await calendars.put(
    {
      id: "sign-language",
      name: "手语视频服务时间",
      timeZone: "Asia/Shanghai",
      weekly: officeHours,
      days: officialHolidayDays(),
    },
    actor,
  );

  const base = {
    strategy: "longest-idle" as const,
    ringTimeoutSeconds: 20,
    maxWaitSeconds: 600,
    maxSize: 200,
    announceIntervalSeconds: 30,
    serviceLevelSeconds: 15,
    wrapUpSeconds: 30,
    screenPopUrl: "http://localhost:8080/demo/business?call={callId}&caller={caller}",
  };
  await queues.create(
    {
      ...base,
      id: "general",
      name: "普通话",
      overflowTarget: "callback",
      calendarId: null,
      skills: [{ skillId: "mandarin", minLevel: 1 }],
      members: ["1001", "1002", "1003", "1004"],
    },
    actor,
  );
  await queues.create(
    {
      ...base,
      id: "english",
      name: "English",
      overflowTarget: "queue:general",
      calendarId: "english",
      skills: [{ skillId: "english", minLevel: 1 }],
      members: ["1004"],
    },
    actor,
  );
  await queues.create(
    {
      ...base,
      id: "sign-language",
      name: "手语视频",
      overflowTarget: "callback",
      calendarId: "sign-language",
      skills: [{ skillId: "sign-language", minLevel: 1 }],
      members: ["1003"],
    },
    actor,
  );
  const lists = new ListDirectory(store);
  await lists.add(
    {
      list: "black",
      pattern: "13900000000",
      match: "exact",
      action: "notice",
      reason: "demo: repeated harassing calls",
    },
    actor,
  );
  await lists.add(
    {
      list: "priority",
      pattern: "13800000001",
      match: "exact",
      priority: 9,
      reason: "demo: designated number",
    },
    actor,
  );
  // The built-in 12345 flow as stored version 1, published, so admins edit it as a new version.
  const flows = new FlowRepository(store);
  await flows.create(
    { id: defaultFlow.id, name: defaultFlow.name, description: defaultFlow.description, numbers: ["12345"] },
    actor,
  );
  await flows.addVersion(defaultFlow.id, defaultFlow, "built-in default flow", actor);
  await flows.publish(defaultFlow.id, 1, actor);
  await writeAudit(store.db, {
    actor: "system",
    action: "seed",
    entity: "demo-data",
    entityId: "v1",
    before: null,
    after: null,
  });
  log.warn("demo data seeded: accounts 1001–1004, 2001, 9001 with passwords hotline-<id> — demo only");
  return true;
}

/** Demo accounts whose password is still the published demo password. */
export async function accountsWithDemoPasswords(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom("users")
    .select(["id", "password_hash"])
    .where(
      "id",
      "in",
      demoAccounts.map((a) => a.id),
    )
    .execute();
  const still: string[] = [];
  for (const r of rows) if (await verifyPassword(demoPassword(r.id), r.password_hash)) still.push(r.id);
  return still;
}

/**
 * A production start has no demo data, so nobody could log in to create the first accounts:
 * on a start with no users at all, this creates the admin account `admin`.
 */
export async function bootstrapAdmin(
  store: Store,
  password: string,
  sipRealm: string,
  log: Logger,
): Promise<boolean> {
  const any = await store.db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (any) return false;
  await new UserDirectory(store, sipRealm).create(
    { id: "admin", displayName: "Administrator", role: "admin", password },
    { userId: "system" },
  );
  log.warn("no users: created the admin account `admin` from HOTLINE_BOOTSTRAP_ADMIN_PASSWORD");
  return true;
}

/**
 * The trunk `local`: calls from `addresses` (HOTLINE_SIP_TRUSTED_ADDRESSES, default 127.0.0.1,
 * this machine) to the hotline are taken without digest and not probed, so a SIP phone here
 * can dial 12345. Its addresses follow the setting until an admin edits or deletes the trunk.
 * No addresses and no trunk yet: none is made.
 */
export async function seedLocalTrunk(store: Store, addresses: readonly string[], log: Logger): Promise<void> {
  const local = await store.db.selectFrom("trunks").select("id").where("id", "=", "local").executeTakeFirst();
  if (addresses.length === 0 && !local) return;
  const done = await ensureLocalTrunk(store, addresses);
  if (done !== "kept") {
    log.info({ trunk: "local", addresses }, `trunk local ${done}: calls from these addresses need no digest`);
  }
}
