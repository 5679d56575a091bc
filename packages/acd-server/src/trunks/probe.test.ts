import { describe, expect, it } from "vitest";
import { AlarmBoard } from "./alarms.js";
import { isMiss, OptionsProbeCore } from "./probe.js";

const settings = { intervalMs: 1000, timeoutMs: 500, missesToDown: 2 };

describe("OPTIONS probe core (fake time)", () => {
  it("sends at the first tick, then one interval after each send", () => {
    const p = new OptionsProbeCore(settings);
    expect(p.tick(0)).toEqual([{ kind: "send", seq: 1 }]);
    expect(p.response(1, 200)).toEqual([]);
    expect(p.tick(999)).toEqual([]);
    expect(p.tick(1000)).toEqual([{ kind: "send", seq: 2 }]);
  });

  it("goes down after two unanswered probes and up at the next answer, each once", () => {
    const p = new OptionsProbeCore(settings);
    p.tick(0);
    expect(p.tick(500)).toEqual([]); // first miss: still up
    expect(p.health).toBe("up");
    expect(p.tick(1000)).toEqual([{ kind: "send", seq: 2 }]);
    expect(p.tick(1500)).toEqual([{ kind: "down", misses: 2, lastStatus: null }]);
    expect(p.health).toBe("down");
    p.tick(2000);
    expect(p.tick(2500)).toEqual([]); // a third miss says nothing new
    p.tick(3000);
    expect(p.response(4, 200)).toEqual([{ kind: "up", status: 200 }]);
    expect(p.health).toBe("up");
    expect(p.misses).toBe(0);
  });

  it.each([
    [200, false],
    [401, false],
    [403, false],
    [404, false],
    [405, false],
    [408, true],
    [480, false],
    [500, false],
    [503, true],
  ])("counts a %i as %s a miss (any final answer but 408/503 shows the peer is alive)", (status, miss) => {
    expect(isMiss(status)).toBe(miss);
    const p = new OptionsProbeCore({ ...settings, missesToDown: 1 });
    p.tick(0);
    expect(p.response(1, status)).toEqual(miss ? [{ kind: "down", misses: 1, lastStatus: status }] : []);
  });

  it("ignores provisional answers, late answers and answers to an older probe", () => {
    const p = new OptionsProbeCore({ ...settings, missesToDown: 1 });
    p.tick(0);
    expect(p.response(1, 100)).toEqual([]);
    expect(p.tick(500)).toEqual([{ kind: "down", misses: 1, lastStatus: null }]);
    expect(p.response(1, 200)).toEqual([]); // too late: the probe was already missed
    expect(p.health).toBe("down");
    p.tick(1000);
    expect(p.response(1, 200)).toEqual([]);
    expect(p.response(2, 200)).toEqual([{ kind: "up", status: 200 }]);
  });

  it("refuses settings that could never probe", () => {
    expect(() => new OptionsProbeCore({ ...settings, intervalMs: 0 })).toThrow();
    expect(() => new OptionsProbeCore({ ...settings, missesToDown: 0 })).toThrow();
  });
});

describe("alarm board", () => {
  it("tells each raise and clear once, lists the active ones oldest first", () => {
    let t = 0;
    const board = new AlarmBoard(() => new Date(Date.UTC(2026, 0, 1, 0, 0, t)));
    const heard: string[] = [];
    board.on("raised", (a) => heard.push(`raised ${a.id}`));
    board.on("cleared", (a) => heard.push(`cleared ${a.id} ${a.clearedAt ? "at" : "-"}`));
    const alarm = { kind: "trunk-down" as const, severity: "critical" as const, message: "down" };
    board.raise({ ...alarm, id: "trunk-down:b", subject: "b" });
    t = 5;
    board.raise({ ...alarm, id: "trunk-down:a", subject: "a" });
    expect(board.raise({ ...alarm, id: "trunk-down:a", subject: "a" })).toBeUndefined();
    expect(board.active().map((a) => a.id)).toEqual(["trunk-down:b", "trunk-down:a"]);
    expect(board.clear("trunk-down:b", "back")?.message).toBe("back");
    expect(board.clear("trunk-down:b")).toBeUndefined();
    expect(heard).toEqual(["raised trunk-down:b", "raised trunk-down:a", "cleared trunk-down:b at"]);
    expect(board.active().map((a) => a.id)).toEqual(["trunk-down:a"]);
  });
});
