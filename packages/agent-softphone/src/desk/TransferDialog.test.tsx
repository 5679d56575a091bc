// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors.js";
import { withI18n } from "../test-support.js";
import { TransferDialog, type TransferDialogProps } from "./TransferDialog.js";
import { checkTarget } from "./transfer.js";

afterEach(cleanup);

function setup(overrides: Partial<TransferDialogProps> = {}) {
  const props = {
    callId: "call-1",
    agents: [
      { id: "1002", label: "1002 李娜" },
      { id: "1003", label: "1003 王芳" },
    ],
    queues: [{ id: "general", label: "综合咨询" }],
    onTransfer: vi.fn(async () => ({})),
    onConsultComplete: vi.fn(async () => ({})),
    onConsultCancel: vi.fn(async () => ({})),
    onClose: vi.fn(),
    ...overrides,
  };
  render(withI18n(<TransferDialog {...props} />, "en"));
  return props;
}

const pick = (label: string) => fireEvent.click(screen.getByLabelText(label));

describe("checkTarget", () => {
  it.each([
    ["13800138000", true],
    ["+8613800138000", true],
    ["138 0013-8000", true],
    ["12", false],
    ["abc123", false],
    ["1".repeat(21), false],
    ["+", false],
  ])("number %s valid=%s", (raw, ok) => {
    expect(checkTarget("number", raw).ok).toBe(ok);
  });
  it("strips spaces and dashes from a number", () => {
    expect(checkTarget("number", "138 0013-8000")).toEqual({
      ok: true,
      target: { kind: "number", value: "13800138000" },
    });
  });
  it("requires a value for every kind", () => {
    expect(checkTarget("agent", "  ")).toEqual({ ok: false, problem: "required" });
    expect(checkTarget("queue", "")).toEqual({ ok: false, problem: "required" });
    expect(checkTarget("number", "")).toEqual({ ok: false, problem: "required" });
  });
});

describe("TransferDialog", () => {
  it("blind to an agent: one transfer request, then the dialog closes", async () => {
    const p = setup();
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "1003" } });
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    await waitFor(() => expect(p.onClose).toHaveBeenCalledTimes(1));
    expect(p.onTransfer).toHaveBeenCalledWith("call-1", { kind: "agent", value: "1003" }, "blind");
    expect(p.onConsultComplete).not.toHaveBeenCalled();
  });

  it("blind to a queue", async () => {
    const p = setup();
    pick("Queue");
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "general" } });
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    await waitFor(() => expect(p.onClose).toHaveBeenCalled());
    expect(p.onTransfer).toHaveBeenCalledWith("call-1", { kind: "queue", value: "general" }, "blind");
  });

  it("attended: consult, then complete", async () => {
    const p = setup();
    pick("Attended");
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "1002" } });
    fireEvent.click(screen.getByRole("button", { name: "Consult" }));
    await screen.findByTestId("consulting");
    expect(p.onTransfer).toHaveBeenCalledWith("call-1", { kind: "agent", value: "1002" }, "attended");
    expect(p.onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId("consulting").textContent).toBe("Consulting 1002…");
    fireEvent.click(screen.getByRole("button", { name: "Complete transfer" }));
    await waitFor(() => expect(p.onClose).toHaveBeenCalledTimes(1));
    expect(p.onConsultComplete).toHaveBeenCalledWith("call-1");
    expect(p.onConsultCancel).not.toHaveBeenCalled();
  });

  it("attended: completing waits until the server says the consulted party answered", async () => {
    const props = {
      callId: "call-1",
      agents: [{ id: "1002", label: "1002 李娜" }],
      queues: [],
      onTransfer: vi.fn(async () => ({})),
      onConsultComplete: vi.fn(async () => ({})),
      onConsultCancel: vi.fn(async () => ({})),
      onClose: vi.fn(),
    };
    const { rerender } = render(withI18n(<TransferDialog {...props} consultAnswered={false} />, "en"));
    pick("Attended");
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "1002" } });
    fireEvent.click(screen.getByRole("button", { name: "Consult" }));
    await screen.findByTestId("consulting");
    expect(screen.getByTestId("consulting").textContent).toBe("Ringing 1002, waiting for an answer…");
    expect((screen.getByRole("button", { name: "Complete transfer" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    // Cancelling stays possible while it rings.
    expect((screen.getByRole("button", { name: "Cancel consult" }) as HTMLButtonElement).disabled).toBe(
      false,
    );
    rerender(withI18n(<TransferDialog {...props} consultAnswered={true} />, "en"));
    expect(screen.getByTestId("consulting").textContent).toBe("Consulting 1002…");
    fireEvent.click(screen.getByRole("button", { name: "Complete transfer" }));
    await waitFor(() => expect(props.onConsultComplete).toHaveBeenCalledWith("call-1"));
  });

  it("attended: consult, then cancel returns to the caller", async () => {
    const p = setup();
    pick("Attended");
    pick("Outside number");
    fireEvent.change(screen.getByRole("textbox"), { target: { value: "0571-12345678" } });
    fireEvent.click(screen.getByRole("button", { name: "Consult" }));
    await screen.findByTestId("consulting");
    expect(p.onTransfer).toHaveBeenCalledWith(
      "call-1",
      { kind: "number", value: "057112345678" },
      "attended",
    );
    fireEvent.click(screen.getByRole("button", { name: "Cancel consult" }));
    await waitFor(() => expect(p.onClose).toHaveBeenCalledTimes(1));
    expect(p.onConsultCancel).toHaveBeenCalledWith("call-1");
    expect(p.onConsultComplete).not.toHaveBeenCalled();
  });

  it("refuses an invalid number without calling the server", () => {
    const p = setup();
    pick("Outside number");
    fireEvent.change(screen.getByRole("textbox"), { target: { value: "12a" } });
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    expect(screen.getByRole("alert").textContent).toBe("Not a valid number (3–20 digits, optional +)");
    expect(screen.getByRole("textbox").getAttribute("aria-invalid")).toBe("true");
    expect(p.onTransfer).not.toHaveBeenCalled();
  });

  it("takes a typed agent id when there is no list to pick from", async () => {
    const p = setup({ agents: [] });
    fireEvent.change(screen.getByRole("textbox"), { target: { value: " 1004 " } });
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    await waitFor(() => expect(p.onClose).toHaveBeenCalled());
    expect(p.onTransfer).toHaveBeenCalledWith("call-1", { kind: "agent", value: "1004" }, "blind");
  });

  it("refuses an empty target", () => {
    const p = setup();
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    expect(screen.getByRole("alert").textContent).toBe("Enter a target");
    expect(p.onTransfer).not.toHaveBeenCalled();
  });

  it("shows a refused transfer by its error code and stays open", async () => {
    const p = setup({
      onTransfer: vi.fn(async () => {
        throw new ApiError("HOTLINE_ERR_CONFLICT", 409, "agent busy");
      }),
    });
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "1002" } });
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Conflicting change, reload and try again");
    expect(p.onClose).not.toHaveBeenCalled();
  });
});
