/**
 * Estimated wait. Erlang C (M/M/N) gives the probability a new caller waits and
 * the average speed of answer; a caller already in the queue at position k is
 * estimated by how many agent releases must happen before them.
 */

/** Erlang C probability of waiting for offered load `a` (Erlangs) on `n` agents. */
export function erlangC(n: number, a: number): number {
  if (n <= 0) return 1;
  if (a <= 0) return 0;
  if (a >= n) return 1;
  // Erlang B by the stable recurrence B(0)=1, B(k)=a·B(k-1)/(k + a·B(k-1)).
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  return b / (1 - (a / n) * (1 - b));
}

export interface WaitModelInput {
  /** Calls per ms, from recent arrivals. */
  readonly arrivalRatePerMs: number;
  /** Average handle time (talk + hold + wrap-up) in ms, from recent calls. */
  readonly ahtMs: number;
  /** Agents staffed for the queue (logged in, not in NOT_READY). */
  readonly staffed: number;
}

/** Average speed of answer for a new arrival, ms (Infinity when the queue cannot drain). */
export function erlangCAsaMs(m: WaitModelInput): number {
  if (m.staffed <= 0) return Number.POSITIVE_INFINITY;
  const a = m.arrivalRatePerMs * m.ahtMs;
  if (a >= m.staffed) return Number.POSITIVE_INFINITY;
  return (erlangC(m.staffed, a) * m.ahtMs) / (m.staffed - a);
}

/**
 * Estimated wait for a caller at 1-based `position`: with `staffed` agents each
 * releasing on average every `ahtMs`, the k-th release comes after about
 * k·AHT/N; the first is half that away on average (residual life of a busy agent).
 */
export function estimatedWaitMs(position: number, m: WaitModelInput): number {
  if (m.staffed <= 0 || m.ahtMs <= 0) return m.staffed <= 0 ? Number.POSITIVE_INFINITY : 0;
  const perRelease = m.ahtMs / m.staffed;
  const positional = Math.max(0, position - 1) * perRelease + perRelease / 2;
  return Math.round(positional);
}
