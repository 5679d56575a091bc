import type { NodeOf, Test, VarValue } from "../schema.js";
import { lookup } from "../template.js";
import { scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

type Op = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "in" | "exists";

/** Compares as strings for eq/ne/in (templates yield strings), as numbers for the order operators. */
export function compare(
  actual: VarValue | undefined,
  op: Op,
  expected: VarValue | VarValue[] | undefined,
): boolean {
  if (op === "exists") return actual !== undefined && actual !== "";
  if (actual === undefined) return op === "ne";
  if (op === "in") return Array.isArray(expected) && expected.some((e) => String(e) === String(actual));
  if (Array.isArray(expected) || expected === undefined) return false;
  if (op === "eq") return String(actual) === String(expected);
  if (op === "ne") return String(actual) !== String(expected);
  const a = Number(actual);
  const b = Number(expected);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (op) {
    case "lt":
      return a < b;
    case "le":
      return a <= b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
  }
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Minutes since local midnight and ISO weekday of `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { minutes: number; weekday: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
  }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return {
    minutes: Number(get("hour")) * 60 + Number(get("minute")),
    weekday: WEEKDAYS[get("weekday")] ?? 0,
  };
}

const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

export async function evaluate(test: Test, ctx: VerbContext): Promise<boolean> {
  switch (test.kind) {
    case "calendar":
      return ctx.port.calendar.isOpen(test.service, ctx.port.clock.now());
    case "list":
      return (await ctx.port.lists.match(ctx.caller.number)).includes(test.list);
    case "caller":
      return compare(lookup(scopeOf(ctx), `caller.${test.field}`), test.op, test.value);
    case "var":
      return compare(ctx.vars.get(test.name), test.op, test.value);
    case "time": {
      const { minutes, weekday } = localTime(ctx.port.clock.now(), test.timeZone);
      if (test.days && !test.days.includes(weekday)) return false;
      const from = hhmm(test.from);
      const to = hhmm(test.to);
      // from > to spans midnight (22:00–06:00).
      return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
    }
  }
}

/** condition: one test (calendar, list, caller field, time of day, variable) → ifTrue / ifFalse. */
export class ConditionVerb extends Task {
  constructor(private readonly node: NodeOf<"condition">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const yes = await evaluate(this.node.test, ctx);
    return { next: yes ? this.node.ifTrue : this.node.ifFalse };
  }
}
