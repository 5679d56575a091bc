// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AgentStateName, AgentView, NotReadyReason } from "../api/types.js";
import { withI18n } from "../test-support.js";
import { StateBar } from "./StateBar.js";
import { stateActions } from "./state-actions.js";

const reasons: NotReadyReason[] = [
  { code: "break", label: { zh: "小休", en: "Break" } },
  { code: "meal", label: { zh: "用餐", en: "Meal" } },
];

function agent(state: AgentStateName, extra: Partial<AgentView> = {}): AgentView {
  return {
    agentId: "1001",
    displayName: "张伟",
    state,
    since: new Date().toISOString(),
    queues: ["q1"],
    ...extra,
  };
}

function renderBar(a: AgentView, lng: "zh" | "en" = "en") {
  const onSetState = vi.fn();
  const onWrapUp = vi.fn();
  render(
    withI18n(
      <StateBar agent={a} reasons={reasons} language={lng} onSetState={onSetState} onWrapUp={onWrapUp} />,
      lng,
    ),
  );
  return { onSetState, onWrapUp };
}

const buttonNames = () => screen.queryAllByRole("button").map((b) => b.textContent);

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("state actions", () => {
  it.each([
    ["LOGGED_OUT", ["login"]],
    ["NOT_READY", ["ready", "notReady", "logout"]],
    ["READY", ["notReady", "logout"]],
    ["WRAP_UP", ["extend", "finish"]],
    ["RESERVED", []],
    ["RINGING", []],
    ["ON_CALL", []],
    ["HOLD", []],
  ] as const)("%s offers %j", (state, expected) => {
    expect(stateActions(state)).toEqual(expected);
  });
});

describe("StateBar", () => {
  it("when ready, offers not ready with a reason and log out, but not ready again", () => {
    const { onSetState } = renderBar(agent("READY"));
    expect(screen.getByTestId("state-name").textContent).toBe("Ready");
    expect(buttonNames()).toEqual(["Not ready", "Log out"]);
    fireEvent.change(screen.getByLabelText("Reason"), { target: { value: "meal" } });
    fireEvent.click(screen.getByRole("button", { name: "Not ready" }));
    expect(onSetState).toHaveBeenCalledWith("NOT_READY", "meal");
  });

  it("when not ready, shows the reason label and offers ready", () => {
    const { onSetState } = renderBar(agent("NOT_READY", { reason: "break" }), "zh");
    expect(screen.getByTestId("state-name").textContent).toBe("示忙 · 小休");
    fireEvent.click(screen.getByRole("button", { name: "示闲" }));
    expect(onSetState).toHaveBeenCalledWith("READY");
  });

  it("does not change the shown state on a click: it waits for the server", () => {
    const { onSetState } = renderBar(agent("NOT_READY", { reason: "break" }));
    fireEvent.click(screen.getByRole("button", { name: "Ready" }));
    expect(onSetState).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("state-name").textContent).toBe("Not ready · Break");
  });

  it("offers nothing during a call", () => {
    renderBar(agent("ON_CALL", { callId: "c1" }));
    expect(buttonNames()).toEqual([]);
  });

  it("counts wrap-up down on the clock, and extend / finish call the wrap-up API", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-28T08:00:00Z"));
    const endsAt = new Date("2026-11-28T08:00:45Z").toISOString();
    const { onWrapUp, onSetState } = renderBar(agent("WRAP_UP", { wrapUpEndsAt: endsAt }));
    expect(screen.getByTestId("wrap-up-left").textContent).toBe("00:45 left");
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(screen.getByTestId("wrap-up-left").textContent).toBe("00:35 left");
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    // Past the end the countdown holds at zero until the server moves the agent on.
    expect(screen.getByTestId("wrap-up-left").textContent).toBe("00:00 left");
    fireEvent.click(screen.getByRole("button", { name: "Extend 30 s" }));
    expect(onWrapUp).toHaveBeenLastCalledWith({ action: "extend", seconds: 30 });
    fireEvent.click(screen.getByRole("button", { name: "Finish" }));
    expect(onWrapUp).toHaveBeenLastCalledWith({ action: "end" });
    expect(onSetState).not.toHaveBeenCalled();
  });

  it("in wrap-up without an end time from the server, shows time in state rather than a false 00:00", () => {
    renderBar(agent("WRAP_UP"));
    expect(screen.queryByTestId("wrap-up-left")).toBeNull();
    expect(screen.getByTestId("state-since").textContent).toMatch(/^for 00:0\d$/);
    expect(buttonNames()).toEqual(["Extend 30 s", "Finish"]);
  });

  it("leaves no interval running after unmount", () => {
    vi.useFakeTimers();
    const { unmount } = render(
      withI18n(
        <StateBar
          agent={agent("READY")}
          reasons={reasons}
          language="en"
          onSetState={vi.fn()}
          onWrapUp={vi.fn()}
        />,
      ),
    );
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
