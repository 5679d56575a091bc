import { HotlineError } from "../errors.js";
import { writeAudit } from "../store/audit.js";
import type { Store } from "../store/store.js";
import type { WeeklyHours } from "../store/tables.js";
import { type Actor, auditActor } from "./users.js";

export interface CalendarDay {
  day: string;
  kind: "holiday" | "workday" | "closed";
  name: string;
}

export interface CalendarView {
  id: string;
  name: string;
  timeZone: string;
  weekly: WeeklyHours;
  days: CalendarDay[];
}

/** Business-hours calendars: weekly hours plus dated holidays, adjusted working days and closures. */
export class CalendarDirectory {
  constructor(private readonly store: Store) {}

  async list(): Promise<CalendarView[]> {
    const ids = await this.store.db.selectFrom("calendars").select("id").orderBy("id").execute();
    return Promise.all(ids.map((c) => this.get(c.id)));
  }

  async get(id: string, db = this.store.db): Promise<CalendarView> {
    const c = await db.selectFrom("calendars").selectAll().where("id", "=", id).executeTakeFirst();
    if (!c) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no calendar ${id}`);
    const days = await db
      .selectFrom("calendar_days")
      .select(["day", "kind", "name"])
      .where("calendar_id", "=", id)
      .orderBy("day")
      .execute();
    return {
      id: c.id,
      name: c.name,
      timeZone: c.time_zone,
      weekly: c.weekly,
      days: days.map((d) => ({ day: isoDay(d.day), kind: d.kind, name: d.name })),
    };
  }

  /** Creates or replaces a whole calendar (weekly hours and every dated day). */
  async put(cal: CalendarView, actor: Actor): Promise<CalendarView> {
    return this.store.db.transaction().execute(async (tx) => {
      const before = await this.get(cal.id, tx).catch(() => null);
      await tx
        .insertInto("calendars")
        .values({ id: cal.id, name: cal.name, time_zone: cal.timeZone, weekly: JSON.stringify(cal.weekly) })
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({
            name: cal.name,
            time_zone: cal.timeZone,
            weekly: JSON.stringify(cal.weekly),
            updated_at: new Date(),
          }),
        )
        .execute();
      await tx.deleteFrom("calendar_days").where("calendar_id", "=", cal.id).execute();
      if (cal.days.length > 0) {
        await tx
          .insertInto("calendar_days")
          .values(cal.days.map((d) => ({ calendar_id: cal.id, day: d.day, kind: d.kind, name: d.name })))
          .execute();
      }
      const after = await this.get(cal.id, tx);
      await writeAudit(tx, {
        ...auditActor(actor),
        action: before ? "update" : "create",
        entity: "calendar",
        entityId: cal.id,
        before,
        after,
      });
      return after;
    });
  }
}

/** `date` columns come back as Date from pg and as Date or string from PGlite; keep YYYY-MM-DD. */
function isoDay(d: unknown): string {
  if (d instanceof Date) {
    const y = d.getFullYear();
    const m = String(d.getMonth() + 1).padStart(2, "0");
    const day = String(d.getDate()).padStart(2, "0");
    return `${y}-${m}-${day}`;
  }
  return String(d).slice(0, 10);
}
