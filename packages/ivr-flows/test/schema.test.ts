import { describe, expect, it } from "vitest";
import { defaultFlow } from "../src/default-flow.js";
import { promptCatalogue } from "../src/prompts.js";
import { flowJsonSchema, VERBS } from "../src/schema.js";
import { parseFlow, validateFlow } from "../src/validate.js";
import { flowOf } from "./helpers.js";

const errorsOf = (input: unknown, prompts?: Iterable<string>) => {
  const r = validateFlow(input, prompts ? { prompts } : {});
  return r.ok ? [] : r.errors;
};

describe("flow validation", () => {
  it("accepts the default flow with no warnings and only catalogue prompts", () => {
    const r = validateFlow(defaultFlow, { prompts: Object.keys(promptCatalogue) });
    expect(r.ok ? r.warnings : r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("accepts the default flow after a JSON round trip (as stored in Postgres)", () => {
    expect(validateFlow(JSON.parse(JSON.stringify(defaultFlow))).ok).toBe(true);
  });

  it("names an unknown verb plainly", () => {
    const errors = errorsOf(flowOf({ n: { verb: "dance", next: "end" } as never }));
    expect(errors).toEqual([
      { path: "nodes.n.verb", message: `unknown verb "dance"; known verbs: ${VERBS.join(", ")}` },
    ]);
  });

  it("rejects an edge to a node that does not exist", () => {
    const errors = errorsOf(
      flowOf({
        n: {
          verb: "menu",
          prompts: ["greeting"],
          keys: { "1": "end", "2": "ghost" },
          noInput: "end",
          invalid: "void",
        },
      }),
    );
    expect(errors).toEqual([
      { path: "nodes.n.keys.2", message: 'edge points to missing node "ghost"' },
      { path: "nodes.n.invalid", message: 'edge points to missing node "void"' },
    ]);
  });

  it("rejects a missing start node", () => {
    expect(errorsOf({ ...flowOf({ n: { verb: "hangup" } }), start: "begin" })).toEqual([
      { path: "start", message: 'start node "begin" does not exist' },
    ]);
  });

  it("rejects a flow with no start field, naming the field", () => {
    const { start: _omit, ...rest } = flowOf({ n: { verb: "hangup" } });
    const errors = errorsOf(rest);
    expect(errors.map((e) => e.path)).toEqual(["start"]);
  });

  it("warns about unreachable nodes but accepts the flow", () => {
    const r = validateFlow(flowOf({ n: { verb: "play", prompts: ["goodbye"], next: "end" } }));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: "nodes.alt", message: 'node "alt" is unreachable from the start' }]);
  });

  it.each([
    ["a prompt name with spaces", { verb: "play", prompts: ["Good bye"], next: "end" }, "nodes.n.prompts.0"],
    ["a prompt path", { verb: "play", prompts: ["../etc/passwd"], next: "end" }, "nodes.n.prompts.0"],
    [
      "a menu key that is not DTMF",
      { verb: "menu", prompts: ["greeting"], keys: { x: "end" }, noInput: "end", invalid: "end" },
      "nodes.n.keys.x",
    ],
    ["a field the verb does not have", { verb: "hangup", next: "end" }, "nodes.n"],
    [
      "a transfer URI that is not SIP",
      { verb: "transfer", target: { kind: "uri", uri: "http://x" }, failed: "end" },
      "nodes.n.target.uri",
    ],
    ["a survey without prompts", { verb: "survey", prompts: [], next: "end" }, "nodes.n.prompts"],
  ])("rejects %s at its path", (_name, node, path) => {
    const errors = errorsOf(flowOf({ n: node as never }));
    expect(errors.map((e) => e.path)).toContain(path);
    expect(errors.every((e) => e.message.length > 0)).toBe(true);
  });

  it("rejects a GET with a body and a collect whose minimum exceeds its maximum", () => {
    const errors = errorsOf(
      flowOf({
        n: { verb: "http", url: "http://x/", body: { a: 1 }, next: "c", fallback: "end" },
        c: { verb: "collect", variable: "v", minDigits: 5, maxDigits: 4, next: "end", noInput: "alt" },
      }),
    );
    expect(errors).toEqual([
      { path: "nodes.n.body", message: "a GET request has no body; use POST" },
      { path: "nodes.c.minDigits", message: "minDigits is more than maxDigits" },
    ]);
  });

  it("with the catalogue given, rejects prompts it does not have", () => {
    const errors = errorsOf(
      flowOf({ n: { verb: "play", prompts: ["no-such-prompt"], next: "end" } }),
      Object.keys(promptCatalogue),
    );
    expect(errors).toEqual([{ path: "nodes.n", message: 'unknown prompt "no-such-prompt"' }]);
  });

  it("parseFlow throws with the first issue in the message and all in `issues`", () => {
    expect(() => parseFlow({ id: "x" })).toThrowError(/invalid flow: .+ \(and \d+ more\)/);
  });

  it("fills defaults", () => {
    const flow = parseFlow(
      flowOf({ n: { verb: "menu", prompts: ["greeting"], keys: {}, noInput: "end", invalid: "end" } }),
    );
    expect(flow.nodes.n).toMatchObject({
      timeoutMs: 5000,
      retries: 2,
      invalidPrompts: [],
      noInputPrompts: [],
    });
  });
});

describe("JSON Schema for the API docs", () => {
  it("describes every verb and the required top-level fields", () => {
    const schema = flowJsonSchema() as {
      required: string[];
      properties: {
        nodes: { additionalProperties: { oneOf: Array<{ properties: { verb: { const: string } } }> } };
      };
    };
    expect(schema.required).toEqual(expect.arrayContaining(["id", "name", "version", "start", "nodes"]));
    const verbs = schema.properties.nodes.additionalProperties.oneOf.map((v) => v.properties.verb.const);
    expect(verbs.sort()).toEqual([...VERBS].sort());
  });
});
