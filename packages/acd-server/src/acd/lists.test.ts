import { describe, expect, it } from "vitest";
import {
  type BlacklistEntry,
  normalizeNumber,
  type PriorityEntry,
  priorityFor,
  screenCaller,
  type WhitelistEntry,
} from "./lists.js";

const base = { reason: "test", addedBy: "admin-9001", addedAt: 0, expiresAt: null };

describe("priority numbers", () => {
  const entries: PriorityEntry[] = [
    { match: "prefix", pattern: "0531", level: 2 },
    { match: "prefix", pattern: "05318", level: 5 },
    { match: "exact", pattern: "053188880000", level: 9 },
  ];
  it("exact beats prefix, longer prefix beats shorter, no match is 0", () => {
    expect(priorityFor(entries, "053188880000")).toBe(9);
    expect(priorityFor(entries, "053188881111")).toBe(5);
    expect(priorityFor(entries, "053161234567")).toBe(2);
    expect(priorityFor(entries, "13800138000")).toBe(0);
  });
  it("normalises separators and the +86 country code", () => {
    expect(normalizeNumber("+86 138-0013-8000")).toBe("13800138000");
    expect(normalizeNumber("0086 13800138000")).toBe("13800138000");
    expect(priorityFor([{ match: "exact", pattern: "13800138000", level: 3 }], "+86 138 0013 8000")).toBe(3);
  });
});

describe("black and white lists", () => {
  const blacklist: BlacklistEntry[] = [
    { ...base, id: "b1", match: "prefix", pattern: "170", action: { kind: "notice", promptId: "harass" } },
    { ...base, id: "b2", match: "exact", pattern: "17000000001", action: { kind: "reject" } },
    {
      ...base,
      id: "b3",
      match: "exact",
      pattern: "13900000000",
      action: { kind: "route", queueId: "special" },
    },
    {
      ...base,
      id: "b4",
      match: "exact",
      pattern: "13700000000",
      action: { kind: "reject" },
      expiresAt: 1_000,
    },
  ];
  const whitelist: WhitelistEntry[] = [{ ...base, id: "w1", match: "exact", pattern: "17000000002" }];
  const lists = { blacklist, whitelist };

  it("applies the most specific blacklist entry's action", () => {
    expect(screenCaller("17000000001", lists, 0)).toMatchObject({ verdict: "reject", entry: { id: "b2" } });
    expect(screenCaller("17012345678", lists, 0)).toMatchObject({ verdict: "notice", entry: { id: "b1" } });
    expect(screenCaller("13900000000", lists, 0)).toMatchObject({
      verdict: "route",
      entry: { action: { kind: "route", queueId: "special" } },
    });
  });
  it("whitelist bypasses the blacklist", () => {
    expect(screenCaller("17000000002", lists, 0)).toMatchObject({ verdict: "allow", whitelisted: true });
  });
  it("expired entries no longer apply", () => {
    expect(screenCaller("13700000000", lists, 999).verdict).toBe("reject");
    expect(screenCaller("13700000000", lists, 1_000)).toEqual({ verdict: "allow", whitelisted: false });
  });
});
