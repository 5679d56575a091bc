import { expect } from "vitest";
import { type FlowResult, type RunOptions, runFlow } from "../src/interpreter.js";
import type { FlowInput } from "../src/schema.js";
import { drive } from "./fake-clock.js";
import { audioCaller, type CallerScript, ScriptedPort } from "./fake-port.js";

type Nodes = FlowInput["nodes"];

/** A one-off flow around `nodes`, with `end` (a hangup) and `alt` (another hangup) to land on. */
export function flowOf(nodes: Nodes, start = "n"): FlowInput {
  return {
    id: "test",
    name: "test",
    version: 1,
    start,
    nodes: {
      ...nodes,
      end: { verb: "hangup" },
      alt: { verb: "hangup", cause: "closed" },
    },
  };
}

/** Runs a flow on a scripted port in fake time; checks the run closed everything it opened. */
export async function run(
  flow: FlowInput,
  script: CallerScript = {},
  options: Partial<RunOptions> = {},
): Promise<{ port: ScriptedPort; result: FlowResult; ids: string[] }> {
  const port = new ScriptedPort(script);
  const result = await drive(
    port.clock,
    runFlow(flow, port, { caller: audioCaller, signal: port.hangupSignal, ...options }),
  );
  expect(port.open).toBe(0);
  // No timer of the run (prompt, collector, queue, http timeout, announcement) outlives it.
  port.close();
  expect(port.clock.pending).toBe(0);
  return { port, result, ids: result.path.map((s) => s.nodeId) };
}

/** The node the run ended on. */
export const last = (ids: string[]) => ids.at(-1);
