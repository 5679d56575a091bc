/**
 * Priority numbers and black/white lists as pure matching over entries given as
 * data. The store loads the entries (and audits their changes); this module only
 * decides.
 */

export type MatchKind = "exact" | "prefix";

export interface NumberPattern {
  readonly match: MatchKind;
  /** Digits (a leading + is allowed); separators are ignored. */
  readonly pattern: string;
}

export interface PriorityEntry extends NumberPattern {
  /** 1..9, higher answered first. */
  readonly level: number;
  readonly note?: string;
}

export interface ListEntryBase extends NumberPattern {
  readonly id: string;
  readonly reason: string;
  /** Epoch ms after which the entry no longer applies; null = never expires. */
  readonly expiresAt: number | null;
  readonly addedBy: string;
  readonly addedAt: number;
}

export type BlacklistAction =
  | { readonly kind: "reject" }
  | { readonly kind: "notice"; readonly promptId: string }
  | { readonly kind: "route"; readonly queueId: string };

export interface BlacklistEntry extends ListEntryBase {
  readonly action: BlacklistAction;
}

export type WhitelistEntry = ListEntryBase;

/**
 * Canonical form of a caller number: digits only, with the China country code
 * (+86 / 0086) stripped so "+86 138-0013-8000" and "13800138000" match.
 */
export function normalizeNumber(raw: string): string {
  let d = raw.replace(/[^0-9+]/g, "");
  if (d.startsWith("+86")) d = d.slice(3);
  else if (d.startsWith("0086")) d = d.slice(4);
  return d.replace(/\+/g, "");
}

/**
 * How specifically a pattern matches a number: -1 no match; exact beats any
 * prefix; a longer prefix beats a shorter one.
 */
export function matchScore(p: NumberPattern, number: string): number {
  const n = normalizeNumber(number);
  const pat = normalizeNumber(p.pattern);
  if (pat.length === 0) return -1;
  if (p.match === "exact") return n === pat ? 1_000 : -1;
  return n.startsWith(pat) ? pat.length : -1;
}

function best<T extends NumberPattern>(entries: readonly T[], number: string): T | undefined {
  let found: T | undefined;
  let score = -1;
  for (const e of entries) {
    const s = matchScore(e, number);
    if (s > score) {
      score = s;
      found = e;
    }
  }
  return found;
}

function live<T extends ListEntryBase>(entries: readonly T[], now: number): T[] {
  return entries.filter((e) => e.expiresAt === null || e.expiresAt > now);
}

/** Priority level for a number: the most specific matching entry wins; 0 if none. */
export function priorityFor(entries: readonly PriorityEntry[], number: string): number {
  const e = best(entries, number);
  return e === undefined ? 0 : Math.max(0, Math.min(9, Math.trunc(e.level)));
}

export type ScreenResult =
  | { readonly verdict: "allow"; readonly whitelisted: boolean; readonly entry?: WhitelistEntry }
  | { readonly verdict: "reject" | "notice" | "route"; readonly entry: BlacklistEntry };

/**
 * Screens a caller. The white list bypasses the black list (and, downstream,
 * queue limits); expired entries are ignored; the most specific black-list entry
 * decides the action.
 */
export function screenCaller(
  number: string,
  lists: { readonly blacklist: readonly BlacklistEntry[]; readonly whitelist: readonly WhitelistEntry[] },
  now: number,
): ScreenResult {
  const white = best(live(lists.whitelist, now), number);
  if (white) return { verdict: "allow", whitelisted: true, entry: white };
  const black = best(live(lists.blacklist, now), number);
  if (!black) return { verdict: "allow", whitelisted: false };
  return { verdict: black.action.kind, entry: black };
}
