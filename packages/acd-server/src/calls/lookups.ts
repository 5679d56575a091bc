import {
  type BlacklistEntry,
  HolidayBook,
  isOpen,
  type OpenInterval,
  priorityFor,
  type ServiceCalendar,
  screenCaller,
  type WhitelistEntry,
} from "../acd/index.js";
import { CalendarDirectory, type CalendarView } from "../directory/calendars.js";
import { ListDirectory } from "../directory/lists.js";
import type { Store } from "../store/store.js";

const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const CHINA = 480;

/** A stored calendar as the ACD's calendar rules read it; its own dated days are its holiday book. */
export function serviceCalendarOf(c: CalendarView): { calendar: ServiceCalendar; book: HolidayBook } {
  const weekly = weekdays.map((d) => c.weekly[d].map(([open, close]): OpenInterval => ({ open, close })));
  const closures = c.days
    .filter((d) => d.kind === "closed")
    .map((d) => {
      const from = Date.parse(`${d.day}T00:00:00+08:00`);
      return { from, to: from + 86_400_000, reason: d.name };
    });
  const years = [...new Set(c.days.map((d) => Number(d.day.slice(0, 4))))];
  const book = new HolidayBook(
    years.map((year) => ({
      year,
      source: `calendar ${c.id}`,
      holidays: c.days
        .filter((d) => d.kind === "holiday" && d.day.startsWith(`${year}-`))
        .map((d) => ({ date: d.day, name: d.name })),
      workdays: c.days
        .filter((d) => d.kind === "workday" && d.day.startsWith(`${year}-`))
        .map((d) => ({ date: d.day, name: d.name })),
    })),
  );
  return {
    calendar: {
      service: c.id,
      utcOffsetMinutes: CHINA,
      weekly,
      followsPublicHolidays: true,
      holidayHours: [],
      adjustedWorkdayAs: 1,
      closures,
    },
    book,
  };
}

/**
 * What the IVR asks of the system of record while a call runs: is a service open, which lists
 * is a number on, which priority does it get. Read per call: an admin's change applies to the
 * next call without a restart.
 */
export class CallLookups {
  readonly #calendars: CalendarDirectory;
  readonly #lists: ListDirectory;

  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
    this.#calendars = new CalendarDirectory(store);
    this.#lists = new ListDirectory(store);
  }

  /** The queue's real-time voice stream (a WebSocket URL), if it has one. */
  async voiceStream(queueId: string): Promise<string | undefined> {
    const q = await this.#store.db
      .selectFrom("queues")
      .select("voice_stream_url")
      .where("id", "=", queueId)
      .executeTakeFirst()
      .catch(() => undefined);
    return q?.voice_stream_url ?? undefined;
  }

  /** A service with no calendar (the Mandarin line) is open 7x24. */
  async isOpen(service: string, at: number): Promise<boolean> {
    const cal = await this.#calendars.get(service).catch(() => undefined);
    if (!cal) return true;
    const { calendar, book } = serviceCalendarOf(cal);
    return isOpen(calendar, book, at).open;
  }

  async screen(number: string, at: number) {
    const entries = await this.#lists.list();
    const base = (e: (typeof entries)[number]) => ({
      id: e.id,
      pattern: e.pattern,
      match: e.match,
      reason: e.reason,
      expiresAt: e.expiresAt ? Date.parse(e.expiresAt) : null,
      addedBy: e.addedBy,
      addedAt: Date.parse(e.createdAt),
    });
    const blacklist: BlacklistEntry[] = entries
      .filter((e) => e.list === "black")
      .map((e) => ({
        ...base(e),
        action: e.action?.startsWith("queue:")
          ? { kind: "route" as const, queueId: e.action.slice("queue:".length) }
          : e.action === "notice"
            ? { kind: "notice" as const, promptId: "blacklist-notice" }
            : { kind: "reject" as const },
      }));
    const whitelist: WhitelistEntry[] = entries.filter((e) => e.list === "white").map(base);
    const priorities = entries
      .filter((e) => e.list === "priority" && (!e.expiresAt || Date.parse(e.expiresAt) > at))
      .map((e) => ({ pattern: e.pattern, match: e.match, level: e.priority ?? 0 }));
    const verdict = screenCaller(number, { blacklist, whitelist }, at);
    return { verdict, priority: priorityFor(priorities, number) };
  }

  /** The list names the IVR's conditions test: "black", "white", "priority". */
  async lists(number: string, at: number): Promise<string[]> {
    const { verdict, priority } = await this.screen(number, at);
    const names: string[] = [];
    if (verdict.verdict !== "allow") names.push("black");
    if (verdict.verdict === "allow" && verdict.whitelisted) names.push("white");
    if (priority > 0) names.push("priority");
    return names;
  }
}
