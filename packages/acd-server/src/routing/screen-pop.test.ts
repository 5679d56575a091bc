import { describe, expect, it } from "vitest";
import { fillTemplate, screenPopFor } from "./screen-pop.js";

const call = {
  callId: "c-1",
  caller: "13812345678",
  data: { topic: "供暖 & 物业", lang: "zh", "id.kind": "a=b" },
};

describe("screen pop template", () => {
  it("fills call id, caller and attached data, each encoded as a URI component", () => {
    expect(
      fillTemplate("https://biz.example/ticket?call={callId}&caller={caller}&topic={data.topic}", {
        ...call,
        role: "supervisor",
      }),
    ).toBe(
      `https://biz.example/ticket?call=c-1&caller=13812345678&topic=${encodeURIComponent("供暖 & 物业")}`,
    );
  });

  it("masks the caller for a role that must not see numbers", () => {
    expect(fillTemplate("https://biz.example/?caller={caller}", { ...call, role: "agent" })).toBe(
      "https://biz.example/?caller=138****5678",
    );
  });

  it("cannot be broken out of by attached data", () => {
    const url = fillTemplate("https://biz.example/?topic={data.topic}&x=1", {
      ...call,
      data: { topic: "a&admin=1#frag" },
      role: "agent",
    });
    expect(new URL(url).searchParams.get("topic")).toBe("a&admin=1#frag");
    expect(new URL(url).searchParams.get("admin")).toBeNull();
    expect(new URL(url).hash).toBe("");
  });

  it("reads {attached.key} like {data.key}, dotted keys too; unknown placeholders are empty", () => {
    expect(
      fillTemplate("https://b/?l={attached.lang}&k={data.id.kind}&u={data.nope}&v={what}&p={data.toString}", {
        ...call,
        role: "admin",
      }),
    ).toBe("https://b/?l=zh&k=a%3Db&u=&v=&p=");
  });

  it("leaves text that is no placeholder alone", () => {
    expect(fillTemplate("https://b/{}/{ callId }", { ...call, role: "admin" })).toBe(
      "https://b/{}/{ callId }",
    );
  });

  it("pops only http(s) pages, with the queue's mode and moment", () => {
    const v = { ...call, role: "agent" as const };
    expect(screenPopFor({ url: null, mode: "iframe", when: "answered" }, v)).toBeUndefined();
    expect(
      screenPopFor({ url: "javascript:alert({callId})", mode: "tab", when: "offered" }, v),
    ).toBeUndefined();
    expect(
      screenPopFor(
        { url: "{data.topic}", mode: "tab", when: "offered" },
        { ...v, data: { topic: "https://evil" } },
      ),
    ).toBeUndefined();
    expect(screenPopFor({ url: "https://b/?c={callId}", mode: "tab", when: "offered" }, v)).toEqual({
      url: "https://b/?c=c-1",
      mode: "tab",
      when: "offered",
    });
  });
});
