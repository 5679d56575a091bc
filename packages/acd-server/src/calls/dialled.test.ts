import { describe, expect, it } from "vitest";
import { type Dialled, dialledDigits, oneToOneTarget, parseDialled } from "./dialled.js";

describe("parseDialled", () => {
  it.each<[string, Dialled]>([
    ["12345", { kind: "hotline" }],
    ["123451001", { kind: "agent", agentId: "1001" }],
    ["12345-1001", { kind: "agent", agentId: "1001" }],
    ["123450", { kind: "agent", agentId: "0" }],
    ["1234512345678", { kind: "agent", agentId: "12345678" }],
    ["12345123456789", { kind: "unknown" }],
    ["12345abc", { kind: "unknown" }],
    ["1234", { kind: "unknown" }],
    ["54321", { kind: "unknown" }],
    ["*21", { kind: "unknown" }],
    ["", { kind: "unknown" }],
  ])("%s → %o", (to, want) => {
    expect(parseDialled(to, "12345")).toEqual(want);
  });

  it("reads escaped characters as the characters (RFC 3261 §19.1.4)", () => {
    expect(dialledDigits("%2A21")).toBe("*21");
    expect(dialledDigits("%zz")).toBe("%zz");
    expect(parseDialled("%31%32%33%34%35%31%30%30%31", "12345")).toEqual({ kind: "agent", agentId: "1001" });
  });

  it("follows a configured hotline number", () => {
    expect(parseDialled("96123", "96123")).toEqual({ kind: "hotline" });
    expect(parseDialled("961231002", "96123")).toEqual({ kind: "agent", agentId: "1002" });
    expect(parseDialled("123451002", "96123")).toEqual({ kind: "unknown" });
  });
});

describe("oneToOneTarget", () => {
  const agents = {
    queuesOf: (id: string) =>
      ({ "1001": ["general"], "1003": ["english", "general"], "1004": ["english"] })[id] ?? [],
  };

  it("keeps the flow's queue when the agent serves it", () => {
    expect(oneToOneTarget({ kind: "agent", agentId: "1003" }, "general", agents)).toEqual({
      kind: "agent",
      agentId: "1003",
      queueId: "general",
    });
  });

  it("moves the call to a queue the agent serves, or the ACD could never offer it", () => {
    expect(oneToOneTarget({ kind: "agent", agentId: "1004" }, "general", agents)).toEqual({
      kind: "agent",
      agentId: "1004",
      queueId: "english",
    });
  });

  it("routes a number naming nobody as a plain hotline call", () => {
    expect(oneToOneTarget({ kind: "agent", agentId: "1999" }, "general", agents)).toEqual({
      kind: "unknown-agent",
      agentId: "1999",
    });
    expect(oneToOneTarget({ kind: "hotline" }, "general", agents)).toEqual({ kind: "none" });
  });
});
