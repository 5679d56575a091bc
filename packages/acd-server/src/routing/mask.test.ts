import { describe, expect, it } from "vitest";
import { maskNumber, numberFor } from "./mask.js";

describe("caller number masking", () => {
  it.each([
    ["13812341234", "138****1234"],
    ["+86 138-1234-1234", "138****1234"],
    ["02712345678", "027****5678"],
    ["12345", "***45"],
    ["12", "**"],
  ])("masks %s as %s", (raw, masked) => {
    expect(maskNumber(raw)).toBe(masked);
  });

  it("masks for agents only", () => {
    expect(numberFor("agent", "13812341234")).toBe("138****1234");
    expect(numberFor("supervisor", "13812341234")).toBe("13812341234");
  });
});
