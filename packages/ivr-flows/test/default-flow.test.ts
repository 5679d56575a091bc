import { describe, expect, it } from "vitest";
import { defaultFlow } from "../src/default-flow.js";
import { runFlow } from "../src/interpreter.js";
import type { CallerInfo } from "../src/port.js";
import { drive } from "./fake-clock.js";
import { audioCaller, type CallerScript, ScriptedPort, videoCaller } from "./fake-port.js";

const answered = (after: number) => ({
  after,
  outcome: { kind: "answered", agentId: "1001", endedBy: "agent" } as const,
  status: { position: 3, estimatedWaitSeconds: 90 },
});

async function call(script: CallerScript, caller: CallerInfo = audioCaller) {
  const port = new ScriptedPort(script);
  const result = await drive(port.clock, runFlow(defaultFlow, port, { caller, signal: port.hangupSignal }));
  // Whatever the run opened at the port (prompts, collectors, queue waits) is closed.
  expect(port.open).toBe(0);
  port.close();
  expect(port.clock.pending).toBe(0);
  return { port, result };
}

const nodes = (r: { path: Array<{ nodeId: string }> }) => r.path.map((s) => s.nodeId);

describe("default 12345 flow", () => {
  it("normal caller: greeting, straight into the Mandarin queue, then rates 4 after the agent hangs up", async () => {
    const { port, result } = await call({
      queues: { general: answered(45_000) },
      answers: [{ prompt: "survey-question", key: "4" }],
    });
    expect(result.end).toBe("hangup");
    expect(nodes(result)).toEqual([
      "screen",
      "priority-check",
      "video-check",
      "greeting",
      "general",
      "survey",
      "survey-end",
      "thanks",
    ]);
    expect(port.enqueued).toHaveLength(1);
    expect(port.enqueued[0]).toMatchObject({ queue: "general", priority: 0, data: { language: "zh" } });
    // GB/T 33358-2016: no long menu — the caller is queued seconds after the call starts.
    const startedAt = result.path[0]?.at ?? 0;
    expect((port.enqueued[0]?.at ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThanOrEqual(15_000);
    expect(port.heard.slice(0, 2)).toEqual(["zh:greeting", "zh:english-press-2"]);
    // Position 3 and about 2 minutes, announced on entry and again 30 s later; music between.
    expect(port.heard.filter((p) => p === "zh:queue-position-pre")).toHaveLength(2);
    expect(port.heard).toContain("zh:hold-music");
    const firstAnnouncement = port.plays.find((p) => p.prompts[0] === "zh:queue-position-pre");
    expect(firstAnnouncement?.prompts).toEqual([
      "zh:queue-position-pre",
      "zh:digit-3",
      "zh:queue-position-post",
      "zh:wait-pre",
      "zh:digit-2",
      "zh:wait-minutes",
    ]);
    // From the agent's answer on, the caller hears the agent: music stopped, nothing played until the survey.
    const answeredAt = port.answeredAt[0] ?? Number.NaN;
    expect(port.plays.filter((p) => p.prompts[0] === "zh:hold-music").at(-1)).toMatchObject({
      stopped: true,
    });
    expect(port.plays.filter((p) => p.at >= answeredAt).map((p) => p.prompts[0])).toEqual([
      "zh:survey-question",
      "zh:survey-thanks",
    ]);
    expect(port.events).toContainEqual(expect.objectContaining({ type: "queue-answered", agentId: "1001" }));
    expect(port.surveys).toEqual([{ rating: 4, label: "dissatisfied" }]);
    expect(result.survey).toEqual({ rating: 4, label: "dissatisfied" });
    expect(port.heard.slice(-2)).toEqual(["zh:survey-question", "zh:survey-thanks"]);
    expect(port.hangups).toEqual(["normal"]);
    expect(port.events.filter((e) => e.type === "key-pressed")).toMatchObject([
      { nodeId: "survey", key: "4" },
    ]);
    expect(port.events.at(-1)).toMatchObject({ type: "flow-ended", end: "hangup" });
  });

  it("key 2 during the greeting selects English service when the English calendar is open", async () => {
    const { port, result } = await call({
      open: { english: true },
      queues: { english: answered(20_000) },
      answers: [
        { prompt: "greeting", key: "2", afterMs: 300 },
        { prompt: "survey-question", key: "1" },
      ],
    });
    expect(nodes(result).slice(0, 6)).toEqual([
      "screen",
      "priority-check",
      "video-check",
      "greeting",
      "to-english",
      "english-hours",
    ]);
    expect(port.plays[0]).toMatchObject({ key: "2", stopped: false });
    expect(port.enqueued.map((e) => e.queue)).toEqual(["english"]);
    expect(result.vars.lang).toBe("en");
    expect(port.heard).toContain("en:queue-position-pre");
    expect(port.heard).toContain("en:survey-question");
    expect(port.surveys).toEqual([{ rating: 1, label: "very-satisfied" }]);
    expect(result.path.find((s) => s.nodeId === "greeting")?.keys).toEqual(["2"]);
  });

  it("English closed: 2 goes to Mandarin service in Mandarin", async () => {
    const { port, result } = await call({
      open: { english: false },
      queues: { general: answered(10_000) },
      answers: [
        { prompt: "english-press-2", key: "2" },
        { prompt: "closed-hours-offer", key: "2" },
        { prompt: "survey-question", key: "3" },
      ],
    });
    expect(port.heard).toContain("en:english-closed");
    expect(port.enqueued.map((e) => e.queue)).toEqual(["general"]);
    expect(result.vars.lang).toBe("zh");
    expect(port.heard).toContain("zh:survey-question");
    expect(port.callbacks).toEqual([]);
    expect(port.surveys.map((s) => s.rating)).toEqual([3]);
  });

  it("English closed: 1 registers a callback to the caller and says goodbye", async () => {
    const { port, result } = await call({
      open: { english: false },
      answers: [
        { prompt: "greeting", key: "2" },
        { prompt: "closed-hours-offer", key: "1" },
      ],
    });
    expect(port.callbacks).toMatchObject([{ queue: "english", number: audioCaller.number }]);
    expect(port.heard.slice(-2)).toEqual(["en:callback-confirm", "en:goodbye"]);
    expect(port.enqueued).toEqual([]);
    expect(result.end).toBe("hangup");
  });

  it("blacklisted caller hears the notice and is released, no greeting, no queue", async () => {
    const { port, result } = await call({ lists: ["black"] });
    expect(port.heard).toEqual(["zh:blacklist-notice"]);
    expect(port.hangups).toEqual(["rejected"]);
    expect(port.enqueued).toEqual([]);
    expect(result).toMatchObject({ end: "hangup", cause: "rejected" });
  });

  it("priority-list caller is queued with priority 10", async () => {
    const { port } = await call({ lists: ["priority"], queues: { general: answered(1000) } });
    expect(port.enqueued[0]).toMatchObject({ queue: "general", priority: 10 });
  });

  it("caller hangs up mid-greeting: the prompt is stopped and the run ends cleanly", async () => {
    const { port, result } = await call({ hangupAt: 700 });
    expect(result.end).toBe("caller-hangup");
    expect(nodes(result)).toEqual(["screen", "priority-check", "video-check", "greeting"]);
    expect(port.plays).toHaveLength(1);
    expect(port.plays[0]?.stopped).toBe(true);
    expect(port.hangups).toEqual([]);
    expect(port.enqueued).toEqual([]);
    expect(port.events.at(-1)).toMatchObject({ type: "flow-ended", end: "caller-hangup" });
  });

  it("caller hangs up while queued: the call leaves the queue", async () => {
    const { port, result } = await call({ hangupAt: 20_000, queues: { general: answered(60_000) } });
    expect(result.end).toBe("caller-hangup");
    expect(port.leftQueue).toEqual(["general"]);
    expect(port.surveys).toEqual([]);
  });

  it("invalid survey key, then a valid one: one rating recorded", async () => {
    const { port } = await call({
      queues: { general: answered(5000) },
      answers: [
        { prompt: "survey-question", key: "7" },
        { prompt: "survey-question", key: "2" },
      ],
    });
    expect(port.heard.slice(-4)).toEqual([
      "zh:survey-question",
      "zh:survey-invalid",
      "zh:survey-question",
      "zh:survey-thanks",
    ]);
    expect(port.surveys).toEqual([{ rating: 2, label: "satisfied" }]);
  });

  it("keys pressed while queued or talking do not answer the survey", async () => {
    const { port } = await call({
      queues: { general: answered(20_000) },
      keys: [{ at: 12_000, key: "5" }],
      answers: [{ prompt: "survey-question", key: "2" }],
    });
    expect(port.cleared).toEqual(["5"]);
    expect(port.surveys).toEqual([{ rating: 2, label: "satisfied" }]);
  });

  it("no survey key at all: goodbye without a rating", async () => {
    const { port, result } = await call({ queues: { general: answered(5000) } });
    expect(port.heard.filter((p) => p === "zh:survey-question")).toHaveLength(3);
    expect(port.surveys).toEqual([]);
    expect(port.heard.at(-1)).toBe("zh:goodbye");
    expect(result.survey).toBeUndefined();
  });

  it("caller who hangs up on the agent is not surveyed", async () => {
    const { port, result } = await call({
      queues: { general: { after: 5000, outcome: { kind: "answered", agentId: "1001", endedBy: "caller" } } },
    });
    expect(result.end).toBe("caller-hangup");
    expect(port.heard).not.toContain("zh:survey-question");
  });

  it("queue overflow offers a callback; accepting it files the request", async () => {
    const { port, result } = await call({
      queues: { general: { after: 60_000, outcome: { kind: "overflow", reason: "max wait" } } },
      answers: [{ prompt: "callback-offer", key: "1" }],
    });
    expect(port.callbacks).toMatchObject([{ queue: "general", number: audioCaller.number }]);
    expect(port.heard.slice(-2)).toEqual(["zh:callback-confirm", "zh:goodbye"]);
    expect(result.end).toBe("hangup");
  });

  it("video caller goes to the sign-language queue when it is open", async () => {
    const { port } = await call(
      { open: { "sign-language": true }, queues: { "sign-language": answered(3000) } },
      videoCaller,
    );
    expect(port.enqueued.map((e) => e.queue)).toEqual(["sign-language"]);
    expect(port.heard).not.toContain("zh:greeting");
  });

  it("video caller outside sign-language hours may take Mandarin service", async () => {
    const { port } = await call(
      {
        open: { "sign-language": false },
        queues: { general: answered(3000) },
        answers: [{ prompt: "closed-hours-offer", key: "2" }],
      },
      videoCaller,
    );
    expect(port.heard[0]).toBe("zh:sign-language-closed");
    expect(port.enqueued.map((e) => e.queue)).toEqual(["general"]);
  });
});
