/**
 * Reading numbers by prompt concatenation, in Mandarin and English. Each function
 * returns prompt names from the catalogue (digit-0 … digit-9 and the num-* words).
 */
import { IvrError, IvrErrorCode } from "./errors.js";
import type { Language } from "./schema.js";

const digit = (d: number) => `digit-${d}`;

/** Digits one by one: "12345" → digit-1 … digit-5. Spaces and dashes are skipped. */
export function sayDigits(text: string): string[] {
  const clean = text.replace(/[\s-]/g, "");
  if (!/^[0-9]*$/.test(clean))
    throw new IvrError(IvrErrorCode.BadValue, `not digits: ${JSON.stringify(text)}`);
  return [...clean].map((c) => digit(Number(c)));
}

export const MAX_SAY_NUMBER = 99_999_999;

export function sayNumber(value: number, lang: Language): string[] {
  if (!Number.isInteger(value) || value < 0 || value > MAX_SAY_NUMBER) {
    throw new IvrError(IvrErrorCode.BadValue, `cannot read ${value} as a number (0 … ${MAX_SAY_NUMBER})`);
  }
  if (value === 0) return [digit(0)];
  return lang === "zh" ? zhNumber(value) : enNumber(value);
}

/** One group of four digits (千百十个); zeros inside the group read once as 零, trailing zeros not at all. */
function zhGroup(n: number): string[] {
  const units = ["num-thousand", "num-hundred", "num-ten", null] as const;
  const out: string[] = [];
  let started = false;
  let pendingZero = false;
  for (let i = 0; i < 4; i++) {
    const d = Math.floor(n / 10 ** (3 - i)) % 10;
    if (d === 0) {
      if (started) pendingZero = true;
      continue;
    }
    if (pendingZero) out.push(digit(0));
    pendingZero = false;
    out.push(digit(d));
    const unit = units[i];
    if (unit) out.push(unit);
    started = true;
  }
  return out;
}

function zhNumber(n: number): string[] {
  const high = Math.floor(n / 10_000);
  const low = n % 10_000;
  const out: string[] = [];
  if (high > 0) out.push(...zhGroup(high), "num-ten-thousand");
  // 一万零五: a gap in the thousands place of the low group is read as 零.
  if (high > 0 && low > 0 && low < 1000) out.push(digit(0));
  if (low > 0) out.push(...zhGroup(low));
  // 十五, 十万 — not 一十五: a leading 一 before 十 is dropped.
  if (out[0] === digit(1) && out[1] === "num-ten") out.shift();
  return out;
}

function enBelowThousand(n: number): string[] {
  const out: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) out.push(digit(hundreds), "num-hundred");
  if (rest >= 20) {
    out.push(`num-${Math.floor(rest / 10) * 10}`);
    if (rest % 10 > 0) out.push(digit(rest % 10));
  } else if (rest >= 10) out.push(`num-${rest}`);
  else if (rest > 0) out.push(digit(rest));
  return out;
}

function enNumber(n: number): string[] {
  const millions = Math.floor(n / 1_000_000);
  const thousands = Math.floor(n / 1000) % 1000;
  const rest = n % 1000;
  const out: string[] = [];
  if (millions > 0) out.push(...enBelowThousand(millions), "num-million");
  if (thousands > 0) out.push(...enBelowThousand(thousands), "num-thousand");
  if (rest > 0) out.push(...enBelowThousand(rest));
  return out;
}
