import { describe, expect, it } from "vitest";
import { HolidayBook, isOpen, workdayCalendar } from "./calendar.js";
import { CN_HOLIDAY_SCHEDULES, CN_HOLIDAYS_2026 } from "./holidays-cn.js";

/** Epoch ms of a Beijing local time. */
const bj = (local: string) => Date.parse(`${local}+08:00`);

const book = new HolidayBook(CN_HOLIDAY_SCHEDULES);
const english = workdayCalendar("english", [{ open: "08:30", close: "17:30" }]);
const hotline = {
  ...workdayCalendar("mandarin", [{ open: "00:00", close: "24:00" }]),
  weekly: Array.from({ length: 7 }, () => [{ open: "00:00", close: "24:00" }]),
  followsPublicHolidays: false,
};

describe("2026 seed (State Council notice of 2025-11-04)", () => {
  it("Spring Festival is 9 days, 15–23 February, with Saturdays 14 and 28 February worked", () => {
    const spring = CN_HOLIDAYS_2026.holidays.filter((h) => h.name === "春节").map((h) => h.date);
    expect(spring).toEqual([
      "2026-02-15",
      "2026-02-16",
      "2026-02-17",
      "2026-02-18",
      "2026-02-19",
      "2026-02-20",
      "2026-02-21",
      "2026-02-22",
      "2026-02-23",
    ]);
    expect(book.day("2026-02-14")).toMatchObject({ kind: "adjusted-workday", weekday: 6 });
    expect(book.day("2026-02-28")).toMatchObject({ kind: "adjusted-workday", weekday: 6 });
    // every adjusted working day falls on a weekend, every weekday in the table is Saturday/Sunday
    for (const w of CN_HOLIDAYS_2026.workdays) expect([0, 6]).toContain(book.day(w.date).weekday);
  });
  it("2027 is not seeded (notice not known) and says so", () => {
    expect(book.covers(2026)).toBe(true);
    expect(book.covers(2027)).toBe(false);
  });
});

describe("service hours across Spring Festival 2026", () => {
  it("English service: open Friday 13 Feb, open on the adjusted Saturday 14 Feb, closed 15–23 Feb, open 24 Feb", () => {
    expect(isOpen(english, book, bj("2026-02-13T10:00:00")).open).toBe(true);
    expect(isOpen(english, book, bj("2026-02-14T10:00:00"))).toMatchObject({
      open: true,
      day: { kind: "adjusted-workday" },
    });
    expect(isOpen(english, book, bj("2026-02-14T18:00:00"))).toMatchObject({
      open: false,
      why: "after-hours",
    });
    for (let d = 15; d <= 23; d++) {
      const st = isOpen(english, book, bj(`2026-02-${d}T10:00:00`));
      expect(st).toMatchObject({ open: false, why: "holiday", day: { name: "春节" } });
    }
    // 23 Feb is a Monday, still holiday; 24 Feb is a normal Tuesday
    expect(isOpen(english, book, bj("2026-02-24T08:30:00")).open).toBe(true);
    expect(isOpen(english, book, bj("2026-02-24T08:29:59")).open).toBe(false);
    // an ordinary Saturday (21 Mar) is closed
    expect(isOpen(english, book, bj("2026-03-21T10:00:00"))).toMatchObject({
      open: false,
      why: "after-hours",
    });
  });
  it("adjusted Sunday working day (4 Jan and 20 Sep 2026) opens with working-day hours", () => {
    for (const date of ["2026-01-04", "2026-09-20"]) {
      const st = isOpen(english, book, bj(`${date}T09:00:00`));
      expect(st).toMatchObject({ open: true, day: { kind: "adjusted-workday", weekday: 0 } });
    }
    expect(isOpen(english, book, bj("2026-01-11T09:00:00")).open).toBe(false);
  });
  it("uses Beijing time: 01:00 UTC on 14 Feb is 09:00 in Beijing (open)", () => {
    expect(isOpen(english, book, Date.parse("2026-02-14T01:00:00Z")).open).toBe(true);
    expect(isOpen(english, book, Date.parse("2026-02-14T23:00:00Z")).open).toBe(false); // 07:00 on the 15th
  });
  it("the 7×24 hotline ignores holidays; a special closure closes any service", () => {
    expect(isOpen(hotline, book, bj("2026-02-17T03:00:00")).open).toBe(true);
    const closed = {
      ...english,
      closures: [{ from: bj("2026-03-02T12:00:00"), to: bj("2026-03-02T14:00:00"), reason: "drill" }],
    };
    expect(isOpen(closed, book, bj("2026-03-02T12:30:00"))).toMatchObject({ open: false, closure: "drill" });
    expect(isOpen(closed, book, bj("2026-03-02T14:00:00")).open).toBe(true);
  });
  it("holiday hours, when given, apply on public holidays", () => {
    const signLanguage = {
      ...english,
      service: "sign-language",
      holidayHours: [{ open: "09:00", close: "12:00" }],
    };
    expect(isOpen(signLanguage, book, bj("2026-02-17T10:00:00")).open).toBe(true);
    expect(isOpen(signLanguage, book, bj("2026-02-17T13:00:00"))).toMatchObject({
      open: false,
      why: "holiday",
    });
  });
});
