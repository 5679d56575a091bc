import { describe, expect, it } from "vitest";
import { defaultFlow } from "../src/default-flow.js";
import { IvrError, IvrErrorCode } from "../src/errors.js";
import { runFlow } from "../src/interpreter.js";
import { parseFlow } from "../src/validate.js";
import { drive } from "./fake-clock.js";
import { audioCaller, ScriptedPort } from "./fake-port.js";
import { flowOf, run } from "./helpers.js";

describe("runFlow", () => {
  it("stops a loop at maxSteps", async () => {
    const loop = flowOf({
      n: { verb: "set", vars: { a: 1 }, next: "m" },
      m: { verb: "play", prompts: ["goodbye"], next: "n" },
    });
    const { result } = await run(loop, {}, { maxSteps: 50 });
    expect(result.end).toBe("max-steps");
    expect(result.steps).toBe(50);
  });

  it("refuses an invalid flow up front with HOTLINE_ERR_IVR_INVALID_FLOW", async () => {
    const port = new ScriptedPort();
    const bad = flowOf({ n: { verb: "play", prompts: ["goodbye"], next: "nowhere" } });
    const err = await runFlow(bad, port, { caller: audioCaller }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IvrError);
    expect((err as IvrError).code).toBe(IvrErrorCode.InvalidFlow);
    expect((err as IvrError).issues).toContainEqual({
      path: "nodes.n.next",
      message: 'edge points to missing node "nowhere"',
    });
  });

  it("a throwing event sink does not stop the call", async () => {
    const port = new ScriptedPort({ lists: ["black"] });
    port.event = () => {
      throw new Error("sink down");
    };
    const result = await drive(port.clock, runFlow(defaultFlow, port, { caller: audioCaller }));
    expect(result.end).toBe("hangup");
    expect(port.hangups).toEqual(["rejected"]);
  });

  it("an abort before the start runs nothing", async () => {
    const port = new ScriptedPort();
    const ac = new AbortController();
    ac.abort();
    const result = await runFlow(defaultFlow, port, { caller: audioCaller, signal: ac.signal });
    expect(result).toMatchObject({ end: "caller-hangup", path: [] });
  });

  it("records every node entered, with its time, as events and as the path", async () => {
    const { port, result } = await run(defaultFlow, { lists: ["black"] });
    const entered = port.events.filter((e) => e.type === "node-entered");
    expect(entered.map((e) => (e.type === "node-entered" ? e.nodeId : ""))).toEqual([
      "screen",
      "blacklisted",
    ]);
    expect(result.path.map((s) => [s.nodeId, s.verb])).toEqual([
      ["screen", "condition"],
      ["blacklisted", "hangup"],
    ]);
  });

  it("a caller hanging up in the queue's music stops the music and leaves the queue", async () => {
    const flow = flowOf({
      n: { verb: "enqueue", queue: "q", announce: { everyMs: 30_000 }, next: "end", overflow: "alt" },
    });
    const { port, result } = await run(flow, {
      hangupAt: 12_345,
      queues: { q: { after: 100_000, outcome: { kind: "overflow", reason: "x" } } },
    });
    expect(result.end).toBe("caller-hangup");
    expect(port.leftQueue).toEqual(["q"]);
    expect(port.plays.at(-1)).toMatchObject({ prompts: ["zh:hold-music"], stopped: true });
    // Nothing of the run is left on the clock: only the unreached queue outcome was cancelled.
    expect(port.clock.pending).toBe(0);
  });

  it("runs a parsed flow without validating it again; a node removed afterwards ends the run with an error", async () => {
    const parsed = parseFlow(defaultFlow);
    const ok = await run(parsed, { lists: ["black"] });
    expect(ok.result.end).toBe("hangup");
    // Mutating a parsed flow is a bug of the caller; the run must still end, not throw or hang.
    delete (parsed.nodes as Record<string, unknown>).blacklisted;
    const broken = await run(parsed, { lists: ["black"] });
    expect(broken.result).toMatchObject({ end: "error", error: { code: IvrErrorCode.InvalidFlow } });
  });
});
