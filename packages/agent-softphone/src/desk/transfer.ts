import type { TransferTarget, TransferTargetKind } from "../api/types.js";

/** An outside number as the server accepts it: optional +, 3–20 digits (E.164 is at most 15). */
const numberPattern = /^\+?[0-9]{3,20}$/;

export type TargetProblem = "required" | "invalidNumber";

/** Checks a target before it is sent; spaces and dashes typed in a number are dropped. */
export function checkTarget(
  kind: TransferTargetKind,
  raw: string,
): { ok: true; target: TransferTarget } | { ok: false; problem: TargetProblem } {
  const value = kind === "number" ? raw.replace(/[\s-]/g, "") : raw.trim();
  if (value.length === 0) return { ok: false, problem: "required" };
  if (kind === "number" && !numberPattern.test(value)) return { ok: false, problem: "invalidNumber" };
  return { ok: true, target: { kind, value } };
}
