import { describe, expect, it } from "vitest";
import { IvrError } from "../src/errors.js";
import { promptCatalogue } from "../src/prompts.js";
import { sayDigits, sayNumber } from "../src/say.js";

// Reads the prompt names back as text through the catalogue, so cases read like speech.
const speak = (names: string[], lang: "zh" | "en") =>
  names
    .map((n) => {
      const entry = promptCatalogue[n as keyof typeof promptCatalogue];
      if (!entry?.text) throw new Error(`no text for ${n}`);
      return entry.text[lang];
    })
    .join(lang === "zh" ? "" : " ");

describe("Mandarin numbers", () => {
  it.each([
    [0, "零"],
    [7, "七"],
    [10, "十"],
    [15, "十五"],
    [20, "二十"],
    [99, "九十九"],
    [101, "一百零一"],
    [110, "一百一十"],
    [1005, "一千零五"],
    [1050, "一千零五十"],
    [10010, "一万零一十"],
    [12345, "一万二千三百四十五"],
    [100000, "十万"],
    [150000, "十五万"],
    [1000001, "一百万零一"],
    [99999999, "九千九百九十九万九千九百九十九"],
  ])("%i → %s", (n, text) => {
    expect(speak(sayNumber(n, "zh"), "zh")).toBe(text);
  });
});

describe("English numbers", () => {
  it.each([
    [0, "zero"],
    [13, "thirteen"],
    [21, "twenty one"],
    [100, "one hundred"],
    [115, "one hundred fifteen"],
    [1000, "one thousand"],
    [12345, "twelve thousand three hundred forty five"],
    [2000000, "two million"],
    [1010101, "one million ten thousand one hundred one"],
  ])("%i → %s", (n, text) => {
    expect(speak(sayNumber(n, "en"), "en")).toBe(text);
  });
});

describe("digits", () => {
  it("reads each digit and skips separators", () => {
    expect(sayDigits("138-0000 1234")).toEqual([..."13800001234"].map((d) => `digit-${d}`));
  });
  it.each([[-1], [1.5], [100_000_000]])("refuses %d", (n) => {
    expect(() => sayNumber(n, "zh")).toThrow(IvrError);
  });
  it("refuses letters", () => {
    expect(() => sayDigits("12a")).toThrow(IvrError);
  });
});
