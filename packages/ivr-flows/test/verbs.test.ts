import { describe, expect, it } from "vitest";
import { IvrErrorCode } from "../src/errors.js";
import type { HttpRequest } from "../src/port.js";
import { flowOf, last, run } from "./helpers.js";

describe("play", () => {
  it("plays the prompts in the call's language and goes on", async () => {
    const { port, ids } = await run(
      flowOf({ n: { verb: "play", prompts: ["greeting", "goodbye"], next: "end" } }),
      {},
      {
        language: "en",
      },
    );
    expect(port.plays).toMatchObject([
      { prompts: ["en:greeting", "en:goodbye"], bargeIn: false, stopped: false },
    ]);
    expect(ids).toEqual(["n", "end"]);
  });

  it("with bargeIn a key stops the prompt and is recorded on the path", async () => {
    const { port, result } = await run(
      flowOf({ n: { verb: "play", prompts: ["greeting"], bargeIn: true, next: "end" } }),
      { keys: [{ at: 300, key: "5" }] },
    );
    expect(port.plays[0]).toMatchObject({ key: "5", stopped: false });
    expect(result.path[0]?.keys).toEqual(["5"]);
    // The prompt was cut at 300 ms, not played for its full second.
    expect(result.path[1]?.at).toBe((result.path[0]?.at ?? 0) + 300);
  });

  it("without bargeIn a key does not stop the prompt", async () => {
    const { port, result } = await run(flowOf({ n: { verb: "play", prompts: ["greeting"], next: "end" } }), {
      keys: [{ at: 300, key: "5" }],
    });
    expect(port.plays[0]).toMatchObject({ key: null, stopped: false });
    expect(result.path[1]?.at).toBe((result.path[0]?.at ?? 0) + 1000);
  });
});

describe("say-number and say-digits", () => {
  it("reads a variable as a Mandarin number", async () => {
    const { port } = await run(
      flowOf({ n: { verb: "say-number", value: "{{count}}", next: "end" } }),
      {},
      {
        vars: { count: 123 },
      },
    );
    expect(port.heard).toEqual(["zh:digit-1", "zh:num-hundred", "zh:digit-2", "zh:num-ten", "zh:digit-3"]);
  });

  it("reads the same number in English", async () => {
    const { port } = await run(
      flowOf({ n: { verb: "say-number", value: "{{count}}", next: "end" } }),
      {},
      {
        vars: { count: 123, lang: "en" },
      },
    );
    expect(port.heard).toEqual(["en:digit-1", "en:num-hundred", "en:num-20", "en:digit-3"]);
  });

  it("reads the caller's number digit by digit", async () => {
    const { port } = await run(
      flowOf({ n: { verb: "say-digits", value: "{{caller.number}}", next: "end" } }),
    );
    expect(port.heard).toEqual([..."13800001234"].map((d) => `zh:digit-${d}`));
  });

  it("a value that is not a number ends the run with HOTLINE_ERR_IVR_BAD_VALUE", async () => {
    const { result, port } = await run(
      flowOf({ n: { verb: "say-number", value: "{{name}}", next: "end" } }),
      {},
      {
        vars: { name: "abc" },
      },
    );
    expect(result.end).toBe("error");
    expect(result.error?.code).toBe(IvrErrorCode.BadValue);
    expect(port.plays).toEqual([]);
  });
});

describe("menu", () => {
  const menu = flowOf({
    n: {
      verb: "menu",
      prompts: ["greeting"],
      keys: { "1": "end", "2": "alt" },
      timeoutMs: 3000,
      retries: 1,
      invalidPrompts: ["invalid-key"],
      noInputPrompts: ["no-input"],
      noInput: "timeout",
      invalid: "bad",
    },
    timeout: { verb: "hangup", prompts: ["goodbye"] },
    bad: { verb: "hangup", prompts: ["blacklist-notice"] },
  });

  it("a key during the prompt takes its edge", async () => {
    const { ids } = await run(menu, { answers: [{ prompt: "greeting", key: "2" }] });
    expect(ids).toEqual(["n", "alt"]);
  });

  it("a key after the prompt, within the timeout, takes its edge", async () => {
    const { ids } = await run(menu, { keys: [{ at: 3500, key: "1" }] });
    expect(ids).toEqual(["n", "end"]);
  });

  it("no key: the no-input prompt, one retry, then the noInput edge after the timeouts", async () => {
    const { ids, port, result } = await run(menu);
    expect(port.heard).toEqual(["zh:greeting", "zh:no-input", "zh:greeting", "zh:goodbye"]);
    expect(ids).toEqual(["n", "timeout"]);
    // greeting 1 s + 3 s wait + no-input 1 s + greeting 1 s + 3 s wait.
    expect((result.path[1]?.at ?? 0) - (result.path[0]?.at ?? 0)).toBe(9000);
  });

  it("an invalid key then a valid one", async () => {
    const { ids, port } = await run(menu, {
      answers: [
        { prompt: "greeting", key: "9" },
        { prompt: "greeting", key: "1" },
      ],
    });
    expect(port.heard).toEqual(["zh:greeting", "zh:invalid-key", "zh:greeting"]);
    expect(ids).toEqual(["n", "end"]);
  });

  it("invalid keys until the retries are used up take the invalid edge", async () => {
    const { ids, result } = await run(menu, {
      answers: [
        { prompt: "greeting", key: "9" },
        { prompt: "greeting", key: "8" },
      ],
    });
    expect(ids).toEqual(["n", "bad"]);
    expect(result.path[0]?.keys).toEqual(["9", "8"]);
  });
});

describe("collect", () => {
  const collect = (extra: Record<string, unknown> = {}) =>
    flowOf({
      n: {
        verb: "collect",
        prompts: ["greeting"],
        variable: "id",
        minDigits: 4,
        maxDigits: 6,
        terminator: "#",
        firstDigitTimeoutMs: 5000,
        interDigitTimeoutMs: 2000,
        retries: 1,
        invalidPrompts: ["invalid-key"],
        next: "end",
        noInput: "alt",
        ...extra,
      },
    });

  it("digits ended by the terminator are stored without it; the first digit may barge in", async () => {
    const { result, port, ids } = await run(collect(), {
      keys: [
        { at: 500, key: "1" },
        { at: 1500, key: "2" },
        { at: 2000, key: "3" },
        { at: 2500, key: "4" },
        { at: 3000, key: "#" },
      ],
    });
    expect(port.plays[0]?.key).toBe("1");
    expect(result.vars.id).toBe("1234");
    expect(ids).toEqual(["n", "end"]);
    expect(port.events).toContainEqual(expect.objectContaining({ type: "digits-collected", digits: "1234" }));
  });

  it("stops at maxDigits without waiting", async () => {
    const keys = [..."1234567"].map((key, i) => ({ at: 1500 + i * 100, key }));
    const { result } = await run(collect(), { keys });
    expect(result.vars.id).toBe("123456");
    expect(result.path[1]?.at).toBe((result.path[0]?.at ?? 0) + 2000);
  });

  it("too few digits before the inter-digit timeout: invalid prompt, retry, then noInput", async () => {
    const { result, port, ids } = await run(collect(), {
      keys: [
        { at: 1500, key: "1" },
        { at: 1700, key: "2" },
      ],
    });
    expect(ids).toEqual(["n", "alt"]);
    expect(result.vars.id).toBeUndefined();
    expect(port.heard).toEqual(["zh:greeting", "zh:invalid-key", "zh:greeting"]);
    expect(port.collects.map((c) => c.end)).toEqual(["timeout", "timeout"]);
    // 1 s prompt, digits at 1.5 and 1.7 s, 2 s inter-digit → 3.7 s; invalid 1 s; prompt 1 s; 5 s first-digit.
    expect((result.path[1]?.at ?? 0) - (result.path[0]?.at ?? 0)).toBe(3700 + 1000 + 1000 + 5000);
  });

  it("caller hangs up while collecting: the collector is stopped", async () => {
    const { result, port } = await run(collect(), { hangupAt: 2500 });
    expect(result.end).toBe("caller-hangup");
    expect(port.collects.map((c) => c.end)).toEqual(["stopped"]);
  });
});

describe("condition", () => {
  const cond = (test: Record<string, unknown>) =>
    flowOf({ n: { verb: "condition", test: test as never, ifTrue: "end", ifFalse: "alt" } });

  it.each([
    ["calendar open", { kind: "calendar", service: "english" }, { open: { english: true } }, "end"],
    ["calendar closed", { kind: "calendar", service: "english" }, { open: { english: false } }, "alt"],
    ["on the black list", { kind: "list", list: "black" }, { lists: ["black", "x"] }, "end"],
    ["not on the white list", { kind: "list", list: "white" }, { lists: ["black"] }, "alt"],
    ["caller media", { kind: "caller", field: "media", op: "eq", value: "audio" }, {}, "end"],
    [
      "caller number prefix list",
      { kind: "caller", field: "number", op: "in", value: ["13800001234"] },
      {},
      "end",
    ],
    ["caller attribute missing", { kind: "caller", field: "region", op: "exists" }, {}, "alt"],
    // The fake clock starts on Monday 10:00 in Shanghai.
    ["office hours", { kind: "time", from: "08:30", to: "17:30", days: [1, 2, 3, 4, 5] }, {}, "end"],
    ["weekend only", { kind: "time", from: "08:30", to: "17:30", days: [6, 7] }, {}, "alt"],
    ["night span across midnight", { kind: "time", from: "22:00", to: "06:00" }, {}, "alt"],
    ["10:00 UTC is not 10:00 here", { kind: "time", from: "02:00", to: "03:00", timeZone: "UTC" }, {}, "end"],
  ])("%s", async (_name, test, script, expected) => {
    const { ids } = await run(cond(test), script);
    expect(last(ids)).toBe(expected);
  });

  it.each([
    ["eq", 5, "5", true],
    ["ne", 5, "6", true],
    ["lt", 5, 10, true],
    ["le", 10, 10, true],
    ["gt", 5, 10, false],
    ["ge", "11", 10, true],
    ["lt", "abc", 10, false],
    ["in", "b", ["a", "b"], true],
    ["in", "c", ["a", "b"], false],
  ] as const)("variable %s: %s vs %s → %s", async (op, actual, value, expected) => {
    const { ids } = await run(cond({ kind: "var", name: "v", op, value }), {}, { vars: { v: actual } });
    expect(last(ids)).toBe(expected ? "end" : "alt");
  });

  it("a variable that is not set does not exist", async () => {
    const { ids } = await run(cond({ kind: "var", name: "nope", op: "exists" }));
    expect(last(ids)).toBe("alt");
  });
});

describe("set", () => {
  it("assigns templates, numbers and booleans", async () => {
    const { result } = await run(
      flowOf({ n: { verb: "set", vars: { who: "n-{{caller.number}}", n: 3, vip: true }, next: "end" } }),
    );
    expect(result.vars).toMatchObject({ who: "n-13800001234", n: 3, vip: true });
  });

  it("switches the prompt language with lang", async () => {
    const { port } = await run(
      flowOf({
        n: { verb: "set", vars: { lang: "en" }, next: "p" },
        p: { verb: "play", prompts: ["goodbye"], next: "end" },
      }),
    );
    expect(port.heard).toEqual(["en:goodbye"]);
  });

  it("rejects a language it has no prompts for", async () => {
    const { result } = await run(flowOf({ n: { verb: "set", vars: { lang: "fr" }, next: "end" } }));
    expect(result).toMatchObject({ end: "error", error: { code: IvrErrorCode.BadValue } });
  });
});

describe("http", () => {
  const http = (timeoutMs = 2000) =>
    flowOf({
      n: {
        verb: "http",
        url: "http://crm.invalid/callers/{{caller.number}}?q={{q}}",
        timeoutMs,
        assign: { vip: "customer.vip", name: "customer.name", missing: "customer.nothing" },
        next: "end",
        fallback: "alt",
      },
    });

  it("assigns fields of the JSON answer and takes next; template values are percent-encoded", async () => {
    const seen: HttpRequest[] = [];
    const { ids, result } = await run(
      http(),
      {
        http: async (req) => {
          seen.push(req);
          return { status: 200, body: { customer: { vip: true, name: "张三" } } };
        },
      },
      { vars: { q: "a b&c" } },
    );
    expect(seen[0]?.url).toBe("http://crm.invalid/callers/13800001234?q=a%20b%26c");
    expect(seen[0]?.method).toBe("GET");
    expect(result.vars).toMatchObject({ vip: true, name: "张三" });
    expect(result.vars.missing).toBeUndefined();
    expect(ids).toEqual(["n", "end"]);
  });

  it("a system that never answers: fallback after the timeout, request aborted", async () => {
    let signal: AbortSignal | undefined;
    const { ids, result } = await run(http(2000), {
      http: (req) => {
        signal = req.signal;
        return new Promise(() => {});
      },
    });
    expect(ids).toEqual(["n", "alt"]);
    expect((result.path[1]?.at ?? 0) - (result.path[0]?.at ?? 0)).toBe(2000);
    expect(signal?.aborted).toBe(true);
  });

  it.each([
    ["a 500", async () => ({ status: 500, body: {} })],
    ["a non-JSON body", async () => ({ status: 200, body: undefined })],
    ["a network error", async () => Promise.reject(new Error("ECONNREFUSED"))],
  ])("%s takes the fallback", async (_name, client) => {
    const { ids } = await run(http(), { http: client });
    expect(ids).toEqual(["n", "alt"]);
  });
});

describe("enqueue", () => {
  const enqueue = (extra: Record<string, unknown> = {}) =>
    flowOf({
      n: {
        verb: "enqueue",
        queue: "general",
        priority: "{{prio}}",
        data: { caseId: "{{case}}", lang: "zh" },
        announce: { everyMs: 20_000, firstAfterMs: 10_000, estimatedWait: false },
        next: "end",
        overflow: "alt",
        callback: "cb",
        ...extra,
      },
      cb: { verb: "hangup", prompts: ["callback-confirm"] },
    });

  it("passes queue, priority and attached data; announces the position at its interval over music", async () => {
    const { port, ids } = await run(
      enqueue(),
      {
        queues: {
          general: {
            after: 55_000,
            outcome: { kind: "answered", agentId: "1002", endedBy: "agent" },
            status: { position: 12, estimatedWaitSeconds: 300 },
          },
        },
      },
      { vars: { prio: 7, case: "A-1" } },
    );
    expect(port.enqueued).toMatchObject([
      { queue: "general", priority: 7, data: { caseId: "A-1", lang: "zh" }, callbackAllowed: true },
    ]);
    const announcements = port.plays.filter((p) => p.prompts[0] === "zh:queue-position-pre");
    // At 10 s, 30 s and 50 s; the answer at 55 s stops the music.
    expect(announcements.map((a) => a.at - (port.enqueued[0]?.at ?? 0))).toEqual([10_000, 30_000, 50_000]);
    // 12 reads 十二: num-ten then digit-2.
    expect(announcements[0]?.prompts).toEqual([
      "zh:queue-position-pre",
      "zh:num-ten",
      "zh:digit-2",
      "zh:queue-position-post",
    ]);
    expect(port.plays.at(-1)).toMatchObject({ prompts: ["zh:hold-music"], stopped: true });
    expect(ids).toEqual(["n", "end"]);
  });

  it.each([
    ["overflow", { kind: "overflow", reason: "full" }, "alt"],
    ["callback accepted", { kind: "callback-accepted" }, "cb"],
  ] as const)("%s takes its edge", async (_name, outcome, edge) => {
    const { ids } = await run(enqueue(), { queues: { general: { after: 3000, outcome } } });
    expect(last(ids)).toBe(edge);
  });

  it("hold music that ends at once does not spin: the wait goes on in one-second steps", async () => {
    const { ids, port } = await run(enqueue({ announce: undefined }), {
      promptMs: (ref) => (ref.name === "hold-music" ? 0 : 1000),
      queues: { general: { after: 5500, outcome: { kind: "overflow", reason: "full" } } },
    });
    expect(last(ids)).toBe("alt");
    // 0, 1, 2, 3, 4, 5 s: six zero-length plays, not thousands.
    expect(port.plays.filter((p) => p.prompts[0] === "zh:hold-music")).toHaveLength(6);
  });

  it("the caller abandoning the queue ends the run", async () => {
    const { result } = await run(enqueue(), {
      queues: { general: { after: 3000, outcome: { kind: "abandoned" } } },
    });
    expect(result.end).toBe("caller-hangup");
  });

  it("a priority that is not a number is an error before queueing", async () => {
    const { result, port } = await run(enqueue(), {}, { vars: { prio: "high" } });
    expect(result).toMatchObject({ end: "error", error: { code: IvrErrorCode.BadValue } });
    expect(port.enqueued).toEqual([]);
  });

  it("a port failure ends the run with HOTLINE_ERR_IVR_PORT", async () => {
    const { result } = await run(enqueue({ queue: "unknown" }));
    expect(result).toMatchObject({ end: "error", error: { code: IvrErrorCode.Port } });
  });
});

describe("transfer, voicemail, hangup", () => {
  const transfer = flowOf({
    n: { verb: "transfer", target: { kind: "uri", uri: "sip:110@police.example" }, failed: "alt" },
  });

  it("a transfer that succeeds ends the flow", async () => {
    const { result, port } = await run(transfer);
    expect(result.end).toBe("transferred");
    expect(port.transfers).toEqual([{ kind: "uri", uri: "sip:110@police.example" }]);
  });

  it("a refused transfer takes the failed edge", async () => {
    const { ids } = await run(transfer, { transfer: { ok: false, cause: "486 Busy Here" } });
    expect(ids).toEqual(["n", "alt"]);
  });

  it("voicemail plays its intro, records, goes on", async () => {
    const { port, ids } = await run(
      flowOf({ n: { verb: "voicemail", mailbox: "general", prompts: ["voicemail-intro"], next: "end" } }),
    );
    expect(port.heard).toEqual(["zh:voicemail-intro"]);
    expect(port.voicemails).toEqual(["general"]);
    expect(ids).toEqual(["n", "end"]);
  });

  it("hangup plays its notice to the end and releases with its cause", async () => {
    const { port, result } = await run(
      flowOf({ n: { verb: "hangup", prompts: ["blacklist-notice"], cause: "rejected" } }),
      { keys: [{ at: 100, key: "1" }] },
    );
    expect(port.plays[0]).toMatchObject({ key: null, stopped: false });
    expect(port.hangups).toEqual(["rejected"]);
    expect(result).toMatchObject({ end: "hangup", cause: "rejected" });
  });
});

describe("callback-offer", () => {
  const offer = flowOf({
    n: {
      verb: "callback-offer",
      prompts: ["callback-offer"],
      confirmPrompts: ["callback-confirm"],
      invalidPrompts: ["invalid-key"],
      timeoutMs: 4000,
      retries: 1,
      queue: "general",
      accepted: "end",
      declined: "alt",
    },
  });

  it("accept: files the callback for the caller's number and confirms", async () => {
    const { port, ids } = await run(
      offer,
      { answers: [{ prompt: "callback-offer", key: "1" }] },
      { vars: { case: "X" } },
    );
    expect(port.callbacks).toEqual([
      { queue: "general", number: "13800001234", data: { lang: "zh", case: "X" } },
    ]);
    expect(port.heard.at(-1)).toBe("zh:callback-confirm");
    expect(ids).toEqual(["n", "end"]);
  });

  it("decline", async () => {
    const { port, ids } = await run(offer, { answers: [{ prompt: "callback-offer", key: "2" }] });
    expect(port.callbacks).toEqual([]);
    expect(ids).toEqual(["n", "alt"]);
  });

  it("an invalid key, then silence: declined after the retries", async () => {
    const { port, ids } = await run(offer, { answers: [{ prompt: "callback-offer", key: "7" }] });
    expect(port.heard).toEqual(["zh:callback-offer", "zh:invalid-key", "zh:callback-offer"]);
    expect(ids).toEqual(["n", "alt"]);
  });
});

describe("survey", () => {
  const survey = (next = "end") =>
    flowOf({
      n: {
        verb: "survey",
        prompts: ["survey-question"],
        invalidPrompts: ["survey-invalid"],
        retries: 1,
        next,
      },
    });

  it.each([
    ["1", "very-satisfied"],
    ["2", "satisfied"],
    ["3", "neutral"],
    ["4", "dissatisfied"],
    ["5", "very-dissatisfied"],
  ])("key %s records %s", async (key, label) => {
    const { port, result } = await run(survey(), { answers: [{ prompt: "survey-question", key }] });
    expect(port.surveys).toEqual([{ rating: Number(key), label }]);
    expect(result.vars.survey_rating).toBe(Number(key));
  });

  it("only one rating per call: a second survey node passes straight on", async () => {
    const flow = flowOf({
      n: { verb: "survey", prompts: ["survey-question"], next: "again" },
      again: { verb: "survey", prompts: ["survey-question"], next: "end" },
    });
    const { port, ids } = await run(flow, {
      answers: [
        { prompt: "survey-question", key: "5" },
        { prompt: "survey-question", key: "1" },
      ],
    });
    expect(port.surveys).toEqual([{ rating: 5, label: "very-dissatisfied" }]);
    expect(port.heard).toEqual(["zh:survey-question"]);
    expect(ids).toEqual(["n", "again", "end"]);
  });

  it("a call rated in an earlier run is not asked again", async () => {
    const { port, ids } = await run(
      survey(),
      { answers: [{ prompt: "survey-question", key: "3" }] },
      { surveyed: true },
    );
    expect(port.plays).toEqual([]);
    expect(port.surveys).toEqual([]);
    expect(ids).toEqual(["n", "end"]);
  });

  it("invalid keys until the retries are used up: no rating", async () => {
    const { port, ids } = await run(survey(), {
      answers: [
        { prompt: "survey-question", key: "0" },
        { prompt: "survey-question", key: "9" },
      ],
    });
    expect(port.surveys).toEqual([]);
    expect(port.heard).toEqual(["zh:survey-question", "zh:survey-invalid", "zh:survey-question"]);
    expect(ids).toEqual(["n", "end"]);
  });
});
