// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { withI18n } from "../test-support.js";
import { ScreenPopPanel } from "./ScreenPop.js";
import { defaultPopSettings, fillTemplate, isSafePopUrl, popSettingsFor } from "./screen-pop.js";

afterEach(cleanup);

describe("ScreenPopPanel", () => {
  // happy-dom does not load frames and prints a NotSupportedError for each: expected here, the
  // tests look at the frame's attributes, not the page.
  const url = "https://biz.example/ticket?call=c-1&caller=138****5678";

  it("shows the business page beside the call in a sandboxed frame, with a way out to a tab", () => {
    render(withI18n(<ScreenPopPanel url={url} />, "zh"));
    const panel = screen.getByRole("complementary", { name: "业务系统" });
    const frame = panel.querySelector("iframe");
    expect(frame?.getAttribute("src")).toBe(url);
    // The page may run its forms, but not navigate the desk away (no allow-top-navigation).
    const sandbox = frame?.getAttribute("sandbox")?.split(" ") ?? [];
    expect(sandbox).toEqual(expect.arrayContaining(["allow-scripts", "allow-forms"]));
    expect(sandbox).not.toContain("allow-top-navigation");
    const link = screen.getByRole("link", { name: "在新标签页打开" });
    expect(link.getAttribute("href")).toBe(url);
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toContain("noopener");
  });

  it("speaks English when asked", () => {
    render(withI18n(<ScreenPopPanel url={url} />, "en"));
    expect(screen.getByRole("link", { name: "Open in new tab" })).toBeTruthy();
  });
});

describe("screen pop settings and URL", () => {
  it("follows the queue's setting when the server sends one, the agent's own otherwise", () => {
    const own = { mode: "tab" as const, when: "offer" as const };
    expect(popSettingsFor({}, own)).toEqual(own);
    expect(popSettingsFor({ screenPop: { mode: "iframe", when: "answered" } }, own)).toEqual({
      mode: "side",
      when: "answer",
    });
    expect(popSettingsFor({ screenPop: { mode: "tab", when: "offered" } }, defaultPopSettings)).toEqual({
      mode: "tab",
      when: "offer",
    });
  });

  it("leaves a URL the server filled as it is, and pops only http(s) pages", () => {
    const filled = "https://biz.example/?caller=138%2A%2A%2A%2A5678&topic=%E7%A4%BE%E4%BF%9D";
    expect(fillTemplate(filled, { callId: "x", caller: "y", attached: {} })).toBe(filled);
    expect(isSafePopUrl(filled)).toBe(true);
    expect(isSafePopUrl("javascript:alert(1)")).toBe(false);
  });
});
