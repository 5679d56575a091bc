// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { WallboardFigures } from "../api/types.js";
import { formatDuration, formatRate } from "../app/format.js";
import { withI18n } from "../test-support.js";
import { rateTone } from "./thresholds.js";
import { QueueTable, WallFigures } from "./WallFigures.js";

afterEach(cleanup);

const base: WallboardFigures = {
  at: "2026-11-28T08:00:00Z",
  waiting: 2,
  longestWaitSeconds: 75,
  offeredToday: 200,
  answeredToday: 191,
  abandonedToday: 9,
  answeredWithinThresholdRate: 0.8349,
  answerRate: 0.955,
  satisfactionRate: 0.9712,
  agentsByState: { READY: 3, ON_CALL: 5, WRAP_UP: 1 },
  hourly: [],
  queues: [
    {
      queueId: "general",
      name: "综合咨询",
      waiting: 7,
      longestWaitSeconds: 12,
      answered: 100,
      abandoned: 3,
      serviceLevel: null,
    },
  ],
};

const fig = (id: string) => screen.getByTestId(`figure-${id}`);
const value = (id: string) => fig(id).querySelector(".figure-value")?.textContent;

describe("formatting", () => {
  it.each([
    [0.955, "95.5%"],
    [1, "100.0%"],
    [0, "0.0%"],
    [0.83449, "83.4%"],
    [null, "—"],
    [Number.NaN, "—"],
  ])("rate %s → %s", (r, s) => {
    expect(formatRate(r)).toBe(s);
  });
  it.each([
    [0, "00:00"],
    [75, "01:15"],
    [3725, "1:02:05"],
    [-3, "00:00"],
  ])("duration %s → %s", (n, s) => {
    expect(formatDuration(n)).toBe(s);
  });
  it("tones a rate against its minimum, null neutral", () => {
    expect(rateTone(0.95, 0.95)).toBe("good");
    expect(rateTone(0.9499, 0.95)).toBe("bad");
    expect(rateTone(null, 0.95)).toBe("none");
  });
});

describe("WallFigures", () => {
  it("shows the figures formatted", () => {
    render(withI18n(<WallFigures figures={base} />, "en"));
    expect(value("waiting")).toBe("2");
    expect(value("longest-wait")).toBe("01:15");
    expect(value("answered")).toBe("191");
    expect(value("abandoned")).toBe("9");
    expect(value("rate15")).toBe("83.5%");
    expect(value("answer-rate")).toBe("95.5%");
    expect(value("satisfaction")).toBe("97.1%");
    expect(screen.getByTestId("agents-ON_CALL").textContent).toBe("On call 5");
    // A state nobody is in reads 0, not blank.
    expect(screen.getByTestId("agents-HOLD").textContent).toBe("On hold 0");
  });

  it("colours an answer rate under 95 % red and at or over it green", () => {
    const { rerender } = render(withI18n(<WallFigures figures={{ ...base, answerRate: 0.949 }} />, "en"));
    expect(fig("answer-rate").dataset.tone).toBe("bad");
    expect(fig("answer-rate").className).toContain("tone-bad");
    rerender(withI18n(<WallFigures figures={{ ...base, answerRate: 0.95 }} />, "en"));
    expect(fig("answer-rate").dataset.tone).toBe("good");
  });

  it("colours a long wait red and many waiting amber", () => {
    render(withI18n(<WallFigures figures={{ ...base, waiting: 12, longestWaitSeconds: 61 }} />, "en"));
    expect(fig("waiting").dataset.tone).toBe("warn");
    expect(fig("longest-wait").dataset.tone).toBe("bad");
  });

  it("shows rates with nothing to divide as — and neutral", () => {
    render(
      withI18n(
        <WallFigures
          figures={{ ...base, answerRate: null, answeredWithinThresholdRate: null, satisfactionRate: null }}
        />,
        "en",
      ),
    );
    for (const id of ["answer-rate", "rate15", "satisfaction"]) {
      expect(value(id)).toBe("—");
      expect(fig(id).dataset.tone).toBe("none");
    }
  });

  it("shows — everywhere before the first figures arrive", () => {
    render(withI18n(<WallFigures figures={null} />));
    expect(value("waiting")).toBe("—");
    expect(value("longest-wait")).toBe("—");
    expect(value("answer-rate")).toBe("—");
    expect(screen.getByTestId("agents-READY").textContent).toBe("示闲 —");
  });

  it("the queue table shows a null service level as —", () => {
    render(withI18n(<QueueTable figures={base} />, "en"));
    const cells = [...screen.getByTestId("queue-general").querySelectorAll("td")].map((c) => c.textContent);
    expect(cells).toEqual(["综合咨询", "7", "00:12", "100", "3", "—"]);
  });
});
