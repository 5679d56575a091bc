import type { HolidaySchedule } from "./holidays-cn.js";

/**
 * Service calendars: whether a service (e.g. `english`, `sign-language`) is open
 * at an instant. Chinese rules: a public holiday (放假) is closed unless the
 * service has holiday hours; an adjusted working day (调休上班, a Saturday or
 * Sunday) opens with normal working-day hours; special closures override all.
 */

/** "HH:MM"–"HH:MM" local time; close may be "24:00". */
export interface OpenInterval {
  readonly open: string;
  readonly close: string;
}

export interface ServiceCalendar {
  readonly service: string;
  /** Offset of local time from UTC; China is UTC+8 all year (no DST). */
  readonly utcOffsetMinutes: number;
  /** Index 0 = Sunday … 6 = Saturday. */
  readonly weekly: readonly (readonly OpenInterval[])[];
  /** Whether the national holiday schedule applies (a 7×24 line sets false). */
  readonly followsPublicHolidays: boolean;
  /** Hours on public holidays; empty = closed. */
  readonly holidayHours: readonly OpenInterval[];
  /** Weekday whose hours an adjusted working day uses (default Monday). */
  readonly adjustedWorkdayAs: number;
  /** Special closures, epoch ms [from, to). */
  readonly closures: readonly { readonly from: number; readonly to: number; readonly reason: string }[];
}

export type DayKind = "workday" | "weekend" | "holiday" | "adjusted-workday";

export interface DayInfo {
  readonly date: string;
  readonly weekday: number;
  readonly kind: DayKind;
  readonly name?: string;
}

export class HolidayBook {
  readonly #holidays = new Map<string, string>();
  readonly #workdays = new Map<string, string>();
  readonly #years = new Set<number>();

  constructor(schedules: readonly HolidaySchedule[]) {
    for (const s of schedules) {
      this.#years.add(s.year);
      for (const h of s.holidays) this.#holidays.set(h.date, h.name);
      for (const w of s.workdays) this.#workdays.set(w.date, w.name);
    }
  }

  /** Whether an official schedule is loaded for `year` (if not, only weekends count). */
  covers(year: number): boolean {
    return this.#years.has(year);
  }

  day(date: string): DayInfo {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    const h = this.#holidays.get(date);
    if (h !== undefined) return { date, weekday, kind: "holiday", name: h };
    const w = this.#workdays.get(date);
    if (w !== undefined) return { date, weekday, kind: "adjusted-workday", name: w };
    return { date, weekday, kind: weekday === 0 || weekday === 6 ? "weekend" : "workday" };
  }
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`bad time ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export interface OpenStatus {
  readonly open: boolean;
  readonly why: "hours" | "after-hours" | "holiday" | "closure";
  readonly day: DayInfo;
  readonly closure?: string;
}

/** Local date "YYYY-MM-DD" and minute-of-day of an instant in the calendar's zone. */
export function localParts(instantMs: number, utcOffsetMinutes: number): { date: string; minute: number } {
  const local = new Date(instantMs + utcOffsetMinutes * 60_000);
  return {
    date: local.toISOString().slice(0, 10),
    minute: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

export function isOpen(cal: ServiceCalendar, book: HolidayBook, instantMs: number): OpenStatus {
  const { date, minute } = localParts(instantMs, cal.utcOffsetMinutes);
  const info = book.day(date);
  const closure = cal.closures.find((c) => instantMs >= c.from && instantMs < c.to);
  if (closure) return { open: false, why: "closure", day: info, closure: closure.reason };
  let intervals: readonly OpenInterval[];
  if (!cal.followsPublicHolidays) intervals = cal.weekly[info.weekday] ?? [];
  else if (info.kind === "holiday") intervals = cal.holidayHours;
  else if (info.kind === "adjusted-workday") intervals = cal.weekly[cal.adjustedWorkdayAs] ?? [];
  else intervals = cal.weekly[info.weekday] ?? [];
  const inside = intervals.some((iv) => minute >= minutes(iv.open) && minute < minutes(iv.close));
  if (inside) return { open: true, why: "hours", day: info };
  return {
    open: false,
    why: info.kind === "holiday" && cal.followsPublicHolidays ? "holiday" : "after-hours",
    day: info,
  };
}

/** A calendar open on working days only, e.g. 08:30–17:30 Monday–Friday. */
export function workdayCalendar(
  service: string,
  hours: readonly OpenInterval[],
  extra: Partial<Omit<ServiceCalendar, "service" | "weekly">> = {},
): ServiceCalendar {
  return {
    service,
    utcOffsetMinutes: 480,
    weekly: [[], hours, hours, hours, hours, hours, []],
    followsPublicHolidays: true,
    holidayHours: [],
    adjustedWorkdayAs: 1,
    closures: [],
    ...extra,
  };
}
