import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.js";
import { agentOf, defaultFeatureCodes, type FeatureDial, parseFeatureDial } from "./feature-codes.js";

describe("parseFeatureDial", () => {
  it.each<[string, FeatureDial | undefined]>([
    ["*21", { kind: "code", action: "login-ready" }],
    ["*22", { kind: "code", action: "not-ready" }],
    ["*23", { kind: "code", action: "logout" }],
    ["*24", { kind: "code", action: "end-wrap-up" }],
    ["%2A24", { kind: "code", action: "end-wrap-up" }],
    ["*29", { kind: "unknown-code", dialled: "*29" }],
    ["*2", { kind: "unknown-code", dialled: "*2" }],
    ["#21", { kind: "unknown-code", dialled: "#21" }],
    ["12345", undefined],
    ["123451001", undefined],
    ["21", undefined],
  ])("%s → %o", (to, want) => {
    expect(parseFeatureDial(to, defaultFeatureCodes)).toEqual(want);
  });

  it("follows configured codes, from the environment too", () => {
    const config = loadConfig({
      HOTLINE_FEATURE_LOGIN_READY: "#1",
      HOTLINE_FEATURE_NOT_READY_REASON: "meal",
    });
    expect(config.featureCodes).toEqual({ ...defaultFeatureCodes, loginReady: "#1", notReadyReason: "meal" });
    expect(parseFeatureDial("%231", config.featureCodes)).toEqual({ kind: "code", action: "login-ready" });
    expect(parseFeatureDial("*21", config.featureCodes)).toEqual({ kind: "unknown-code", dialled: "*21" });
  });

  it("refuses codes a phone cannot dial or that clash", () => {
    expect(() => loadConfig({ HOTLINE_FEATURE_LOGOUT: "23" })).toThrow(/featureCodes.logout/);
    expect(() => loadConfig({ HOTLINE_FEATURE_LOGOUT: "*22" })).toThrow(/each feature code must differ/);
  });

  it("defaults to *21–*24", () => {
    expect(loadConfig({}).featureCodes).toEqual(defaultFeatureCodes);
  });
});

describe("agentOf", () => {
  const from = (number: string) => ({ number, uri: `sip:${number}@localhost` });

  it("takes the agent from a device that passed digest, never from a trunk's or a browser caller's From", () => {
    expect(agentOf({ origin: "registered", from: from("1001") })).toBe("1001");
    expect(agentOf({ origin: "local", from: from("1001") })).toBeUndefined();
    expect(agentOf({ origin: "webrtc", from: from("1001") })).toBeUndefined();
    expect(agentOf({ origin: "registered", from: from("") })).toBeUndefined();
    expect(agentOf({ origin: "registered", from: from("1001;x=<y>") })).toBeUndefined();
  });
});
