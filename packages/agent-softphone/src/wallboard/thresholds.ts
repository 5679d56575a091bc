/**
 * When a wall-screen figure turns red or amber. The 12345 assessment asks for an answer rate of
 * at least 95 % and most calls answered within 15 s; the defaults say so, a site may pass its own.
 */
export type Tone = "good" | "warn" | "bad" | "none";

export interface Thresholds {
  /** answerRate below this is bad. */
  answerRate: number;
  /** answeredWithinThresholdRate below this is bad. */
  answeredWithin15s: number;
  /** satisfactionRate below this is bad. */
  satisfaction: number;
  /** Waiting calls at or above this are a warning. */
  waitingWarn: number;
  /** Longest wait (s) at or above this is bad. */
  longestWaitBad: number;
}

export const defaultThresholds: Thresholds = {
  answerRate: 0.95,
  answeredWithin15s: 0.8,
  satisfaction: 0.9,
  waitingWarn: 5,
  longestWaitBad: 60,
};

/** A rate against its minimum: at or above is good, below is bad, null (no calls yet) is neutral. */
export function rateTone(value: number | null, minimum: number): Tone {
  if (value === null || !Number.isFinite(value)) return "none";
  return value >= minimum ? "good" : "bad";
}

export function waitingTone(waiting: number, warnAt: number): Tone {
  return waiting >= warnAt ? "warn" : "good";
}

export function longestWaitTone(seconds: number, badAt: number): Tone {
  return seconds >= badAt ? "bad" : "good";
}
