/** Display formatting shared by the desk, the board and the wall screen. */

/** The placeholder for "no figure" (null: nothing to divide, or not measured yet). */
export const NONE = "—";

/** 75 → "01:15"; 3725 → "1:02:05". Negative or non-finite values read as 0. */
export function formatDuration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A 0–1 share as a percentage with one decimal ("96.5%"); null → "—". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NONE;
  const pct = Math.round(rate * 1000) / 10;
  return `${pct.toFixed(1)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  return String(n);
}

/** Seconds between an ISO time and now (ms), never negative. */
export function secondsSince(iso: string | undefined, nowMs: number): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((nowMs - t) / 1000));
}

/** Seconds from now (ms) until an ISO time, never negative; rounds up so 0 means "over". */
export function secondsUntil(iso: string | undefined, nowMs: number): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.ceil((t - nowMs) / 1000));
}
