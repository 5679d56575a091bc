// @vitest-environment happy-dom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentTodayStats, CallHistoryEntry } from "../api/types.js";
import { withI18n } from "../test-support.js";
import { CallHistory, PreviousCalls } from "./CallHistory.js";
import { TodayStats } from "./TodayStats.js";

afterEach(cleanup);

const entry = (over: Partial<CallHistoryEntry>): CallHistoryEntry => ({
  callId: "c-1",
  direction: "inbound",
  caller: "138****2222",
  dialled: "12345",
  queueId: "general",
  agentId: "1001",
  startedAt: "2026-11-28T02:05:00.000Z",
  answeredAt: "2026-11-28T02:05:10.000Z",
  endedAt: "2026-11-28T02:07:40.000Z",
  durationSeconds: 160,
  talkSeconds: 125,
  outcome: "completed",
  rating: 1,
  ...over,
});

describe("CallHistory", () => {
  it("lists the agent's calls with the number as the server masked it, talk time, outcome and rating", () => {
    render(
      withI18n(
        <CallHistory
          entries={[
            entry({}),
            entry({ callId: "c-2", outcome: "abandoned", talkSeconds: null, rating: null }),
          ]}
        />,
      ),
    );
    const rows = within(screen.getByTestId("call-history")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain("138****2222");
    expect(rows[0]?.textContent).toContain("02:05");
    expect(rows[0]?.textContent).toContain("已接通");
    expect(rows[0]?.textContent).toContain("非常满意");
    expect(rows[1]?.textContent).toContain("放弃");
    expect(rows[1]?.textContent).toContain("—");
  });

  it("says so when there is nothing, and keeps an outcome it does not know readable", () => {
    render(withI18n(<CallHistory entries={[]} />, "en"));
    expect(screen.getByText("None")).toBeTruthy();
    cleanup();
    render(withI18n(<CallHistory entries={[entry({ outcome: "voicemail" })]} />, "en"));
    expect(screen.getByTestId("call-history").textContent).toContain("voicemail");
  });
});

describe("PreviousCalls", () => {
  it("shows earlier calls from the number now calling, or that it is the first", () => {
    render(withI18n(<PreviousCalls entries={[entry({}), entry({ callId: "c-0", rating: 4 })]} />, "en"));
    const panel = screen.getByTestId("previous-calls");
    expect(panel.textContent).toContain("Earlier calls from this number (2)");
    expect(panel.textContent).toContain("Dissatisfied");
    cleanup();
    render(withI18n(<PreviousCalls entries={[]} />));
    expect(screen.getByTestId("previous-calls").textContent).toContain("此号码首次来电");
    cleanup();
    const { container } = render(withI18n(<PreviousCalls entries={null} />));
    expect(container.textContent).toBe("");
  });
});

describe("TodayStats", () => {
  const stats: AgentTodayStats = {
    since: "2026-11-27T16:00:00.000Z",
    answered: 12,
    averageTalkSeconds: 185.4,
    averageWrapUpSeconds: 30,
    notReadySeconds: 1260,
    loggedInSeconds: 14_400,
    utilisation: 0.634,
    satisfaction: { ratings: 9, satisfiedRate: 8 / 9, averageRating: 1.4 },
  };
  const figure = (key: string) =>
    screen.getByTestId("today-stats").querySelector(`[data-figure="${key}"] dd`)?.textContent;

  it("shows today's figures: answered, averages, not-ready time, utilisation and satisfaction", () => {
    render(withI18n(<TodayStats stats={stats} />));
    expect(figure("answered")).toBe("12");
    expect(figure("talk")).toBe("03:05");
    expect(figure("wrap-up")).toBe("00:30");
    expect(figure("not-ready")).toBe("21:00");
    expect(figure("utilisation")).toBe("63.4%");
    expect(figure("satisfaction")).toBe("88.9%（9 条评价）");
  });

  it("shows a dash, not a zero, for figures with nothing to average", () => {
    render(
      withI18n(
        <TodayStats
          stats={{
            ...stats,
            answered: 0,
            averageTalkSeconds: null,
            averageWrapUpSeconds: null,
            utilisation: null,
            satisfaction: { ratings: 0, satisfiedRate: null, averageRating: null },
          }}
        />,
        "en",
      ),
    );
    expect(figure("answered")).toBe("0");
    expect(figure("talk")).toBe("—");
    expect(figure("utilisation")).toBe("—");
    expect(figure("satisfaction")).toBe("—");
  });
});
