import { normalizeNumber } from "../acd/index.js";
import type { Role } from "../store/tables.js";

/**
 * Masks a caller number for roles that must not see it: the first three and last four digits
 * stay (138****1234); short numbers keep only their last two.
 */
export function maskNumber(number: string): string {
  // Without the +86 country code, so the kept digits are the ones people read.
  const digits = normalizeNumber(number);
  if (digits.length >= 8) return `${digits.slice(0, 3)}${"*".repeat(digits.length - 7)}${digits.slice(-4)}`;
  if (digits.length <= 2) return "*".repeat(digits.length);
  return `${"*".repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** Agents see masked numbers; supervisors and admins see them whole. */
export function numberFor(role: Role, number: string): string {
  return role === "agent" ? maskNumber(number) : number;
}
