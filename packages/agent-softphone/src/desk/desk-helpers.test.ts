import { describe, expect, it } from "vitest";
import { routeOf } from "../app/App.js";
import { micProblemOf } from "../phone/devices.js";
import { sipWsUrl } from "./AgentDesk.js";
import { defaultPopSettings, fillTemplate, isSafePopUrl, loadPopSettings } from "./screen-pop.js";
import { shortcutOf } from "./shortcuts.js";

const data = { callId: "c-1", caller: "138****1234", attached: { topic: "社保 & 医保", lang: "zh" } };

describe("screen pop", () => {
  it("fills the template, URI-encoding every value", () => {
    expect(
      fillTemplate(
        "https://biz.example/ticket?call={callId}&from={caller}&t={attached.topic}&x={unknown}",
        data,
      ),
    ).toBe(`https://biz.example/ticket?call=c-1&from=138****1234&t=${encodeURIComponent("社保 & 医保")}&x=`);
  });
  it("cannot break out of a parameter with attached data", () => {
    const url = fillTemplate("https://biz.example/?t={attached.topic}", {
      ...data,
      attached: { topic: "a&admin=1#x" },
    });
    expect(new URL(url).searchParams.get("t")).toBe("a&admin=1#x");
    expect(new URL(url).searchParams.get("admin")).toBeNull();
  });
  it("leaves a filled URL as it is", () => {
    expect(fillTemplate("https://biz.example/ticket/42", data)).toBe("https://biz.example/ticket/42");
  });
  it.each([
    ["https://biz.example/x", true],
    ["http://10.0.0.5/x", true],
    ["/relative/page", true],
    ["javascript:alert(1)", false],
    ["data:text/html,hi", false],
  ])("%s is safe to pop: %s", (url, ok) => {
    expect(isSafePopUrl(url)).toBe(ok);
  });
  it("reads settings, falling back to the defaults on anything odd", () => {
    const store = (v: string | null) => ({ getItem: () => v });
    expect(loadPopSettings(store(null))).toEqual(defaultPopSettings);
    expect(loadPopSettings(store("not json"))).toEqual(defaultPopSettings);
    expect(loadPopSettings(store('{"mode":"tab","when":"offer"}'))).toEqual({ mode: "tab", when: "offer" });
    expect(loadPopSettings(store('{"mode":"popup","when":3}'))).toEqual(defaultPopSettings);
  });
});

describe("shortcuts", () => {
  const key = (
    k: string,
    mods: Partial<Record<"altKey" | "ctrlKey" | "metaKey" | "shiftKey", boolean>> = {},
  ) => ({
    key: k,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...mods,
  });
  it.each([
    ["F2", "answer"],
    ["F4", "hangup"],
    ["F6", "hold"],
    ["F8", "ready"],
    ["F5", undefined],
    ["a", undefined],
  ])("%s → %s", (k, action) => {
    expect(shortcutOf(key(k))).toBe(action);
  });
  it("ignores a function key with a modifier (Alt+F4 closes the window, not the call)", () => {
    expect(shortcutOf(key("F4", { altKey: true }))).toBeUndefined();
    expect(shortcutOf(key("F2", { ctrlKey: true }))).toBeUndefined();
  });
});

describe("microphone problems", () => {
  const domError = (name: string) => Object.assign(new Error(name), { name });
  it.each([
    ["NotAllowedError", "denied"],
    ["SecurityError", "denied"],
    ["NotFoundError", "notFound"],
    ["OverconstrainedError", "notFound"],
    ["NotReadableError", "busy"],
    ["AbortError", "busy"],
  ])("%s → %s", (name, problem) => {
    expect(micProblemOf(domError(name))).toBe(problem);
  });
});

describe("addresses", () => {
  it("routes by the first path segment", () => {
    expect(routeOf("/")).toBe("desk");
    expect(routeOf("/supervisor")).toBe("supervisor");
    expect(routeOf("/wallboard/")).toBe("wallboard");
    expect(routeOf("/admin/users")).toBe("admin");
    expect(routeOf("/elsewhere")).toBe("desk");
  });
  it("puts SIP on ws or wss beside the page (WSS when the page is HTTPS)", () => {
    expect(sipWsUrl("", { protocol: "http:", host: "desk.local:8080" })).toBe("ws://desk.local:8080/sip");
    expect(sipWsUrl("", { protocol: "https:", host: "hotline.gov.cn" })).toBe("wss://hotline.gov.cn/sip");
    expect(sipWsUrl("https://acd.example:8443", { protocol: "http:", host: "x" })).toBe(
      "wss://acd.example:8443/sip",
    );
  });
});
