// @vitest-environment happy-dom
import type { CallOfferedEvent } from "@hotline12345/acd-server/events";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PhoneCall } from "../phone/phone.js";
import { withI18n } from "../test-support.js";
import { CallControls, type CallControlsProps } from "./CallControls.js";
import { IncomingCall } from "./IncomingCall.js";

afterEach(cleanup);

describe("IncomingCall", () => {
  const offer: CallOfferedEvent = {
    callId: "c-9",
    queueId: "general",
    caller: "138****1234",
    waitedSeconds: 42,
    attached: { ivrPath: "welcome>menu:1", topic: "社保" },
  };
  it("shows the caller exactly as the server masked it, the queue, the wait and the data", () => {
    render(withI18n(<IncomingCall offer={offer} ringingSeconds={3} queueName="综合咨询" />, "en"));
    expect(screen.getByTestId("caller").textContent).toBe("138****1234");
    const text = screen.getByTestId("incoming-call").textContent ?? "";
    expect(text).toContain("综合咨询");
    expect(text).toContain("00:45");
    expect(text).toContain("welcome>menu:1");
    expect(text).toContain("topic");
    expect(text).toContain("社保");
  });
});

describe("CallControls", () => {
  function setup(call: PhoneCall | null) {
    const props: CallControlsProps = {
      call,
      upSeconds: 65,
      onAnswer: vi.fn(),
      onHangup: vi.fn(),
      onHold: vi.fn(),
      onMute: vi.fn(),
      onDtmf: vi.fn(),
      onTransfer: vi.fn(),
      onConference: vi.fn(),
    };
    render(withI18n(<CallControls {...props} />, "en"));
    return props;
  }
  const call = (phase: PhoneCall["phase"], extra: Partial<PhoneCall> = {}): PhoneCall => ({
    sessionId: "s",
    callId: "c-9",
    direction: "incoming",
    remote: "12345",
    phase,
    held: false,
    muted: false,
    ...extra,
  });
  const enabled = () =>
    screen
      .getAllByRole("button")
      .filter((b) => !(b as HTMLButtonElement).disabled)
      .map((b) => b.textContent);

  it("with no call, nothing can be pressed", () => {
    setup(null);
    expect(enabled()).toEqual([]);
  });
  it("ringing: answer (F2 in its tooltip) or hang up", () => {
    const p = setup(call("ringing"));
    expect(enabled()).toEqual(["Answer", "Hang up"]);
    expect(screen.getByRole("button", { name: "Answer" }).getAttribute("title")).toBe("F2 answer");
    fireEvent.click(screen.getByRole("button", { name: "Answer" }));
    expect(p.onAnswer).toHaveBeenCalledTimes(1);
  });
  it("up: hold, mute, keypad sends digits, transfer", () => {
    const p = setup(call("up"));
    expect(enabled()).toEqual(["Hang up", "Hold", "Mute", "Keypad", "Transfer", "Three-way"]);
    fireEvent.click(screen.getByRole("button", { name: "Hold" }));
    expect(p.onHold).toHaveBeenCalledWith(true);
    fireEvent.click(screen.getByRole("button", { name: "Mute" }));
    expect(p.onMute).toHaveBeenCalledWith(true);
    fireEvent.click(screen.getByRole("button", { name: "Keypad" }));
    fireEvent.click(screen.getByRole("button", { name: "5" }));
    fireEvent.click(screen.getByRole("button", { name: "#" }));
    expect(p.onDtmf).toHaveBeenNthCalledWith(1, "5");
    expect(p.onDtmf).toHaveBeenNthCalledWith(2, "#");
    expect(screen.getByTestId("call-controls").textContent).toContain("01:05");
  });
  it("held: the hold button retrieves", () => {
    const p = setup(call("up", { held: true }));
    fireEvent.click(screen.getByRole("button", { name: "Retrieve" }));
    expect(p.onHold).toHaveBeenCalledWith(false);
  });
});
