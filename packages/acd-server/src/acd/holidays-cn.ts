/**
 * Official public-holiday schedules of the State Council (国务院办公厅关于…年部分节假日安排的通知).
 * `holidays` are days off (放假), `workdays` are the adjusted working days (调休上班) that
 * fall on a Saturday or Sunday. Dates are local dates in China (UTC+8).
 */
export interface HolidaySchedule {
  readonly year: number;
  readonly source: string;
  readonly holidays: readonly { readonly date: string; readonly name: string }[];
  readonly workdays: readonly { readonly date: string; readonly name: string }[];
}

function range(name: string, from: string, to: string): { date: string; name: string }[] {
  const out: { date: string; name: string }[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = start; t <= end; t += 86_400_000)
    out.push({ date: new Date(t).toISOString().slice(0, 10), name });
  return out;
}

/** 国务院办公厅关于2026年部分节假日安排的通知 (published 2025-11-04). */
export const CN_HOLIDAYS_2026: HolidaySchedule = {
  year: 2026,
  source: "国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04",
  holidays: [
    // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    ...range("元旦", "2026-01-01", "2026-01-03"),
    // 二、春节：2月15日（腊月二十八、周日）至23日（正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    ...range("春节", "2026-02-15", "2026-02-23"),
    // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
    ...range("清明节", "2026-04-04", "2026-04-06"),
    // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
    ...range("劳动节", "2026-05-01", "2026-05-05"),
    // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
    ...range("端午节", "2026-06-19", "2026-06-21"),
    // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
    ...range("中秋节", "2026-09-25", "2026-09-27"),
    // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
    ...range("国庆节", "2026-10-01", "2026-10-07"),
  ],
  workdays: [
    { date: "2026-01-04", name: "元旦调休" },
    { date: "2026-02-14", name: "春节调休" },
    { date: "2026-02-28", name: "春节调休" },
    { date: "2026-05-09", name: "劳动节调休" },
    { date: "2026-09-20", name: "国庆节调休" },
    { date: "2026-10-10", name: "国庆节调休" },
  ],
};

/**
 * 2027: the State Council notice for 2027 was not found by this project's sources
 * when the seed was written, so no 2027 schedule is seeded (inventing one would be
 * wrong for a government hotline). Admins add it through the calendar API.
 */
export const CN_HOLIDAY_SCHEDULES: readonly HolidaySchedule[] = [CN_HOLIDAYS_2026];
