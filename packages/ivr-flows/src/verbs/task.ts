/**
 * What every verb is: a small object built from one node, with `exec(ctx)` that
 * runs it against the call port and `kill()` that stops it (the caller hung up).
 * kill() aborts the verb's signal; every port call the verb makes carries it.
 */
import type { CallerInfo, CallPort, IvrEvent, PromptRef, SurveyRating } from "../port.js";
import type { Language, VarValue } from "../schema.js";
import type { Scope } from "../template.js";

export interface RunState {
  /** One rating per call: a second survey node passes straight on. */
  surveyed: boolean;
  survey?: SurveyRating | undefined;
}

type EventBody<E> = E extends { at: number; nodeId: string } ? Omit<E, "at" | "nodeId"> : never;
export type NodeEvent = EventBody<Extract<IvrEvent, { nodeId: string }>>;

export interface VerbContext {
  readonly nodeId: string;
  readonly port: CallPort;
  readonly caller: CallerInfo;
  readonly vars: Map<string, VarValue>;
  readonly state: RunState;
  /** Records an IVR-path event for this node. */
  emit(event: NodeEvent): void;
}

export type VerbOutcome =
  | { next: string }
  | { end: "hangup"; cause: string }
  | { end: "transferred" }
  | { end: "caller-hangup" }
  /** The verb saw its signal fire; the interpreter is already stopping. */
  | { end: "stopped" };

export interface Verb {
  exec(ctx: VerbContext): Promise<VerbOutcome>;
  kill(): void;
}

export const STOPPED: VerbOutcome = { end: "stopped" };

export abstract class Task implements Verb {
  readonly #ac = new AbortController();
  protected get signal(): AbortSignal {
    return this.#ac.signal;
  }
  abstract exec(ctx: VerbContext): Promise<VerbOutcome>;
  /** Idempotent: a second kill does nothing. */
  kill(): void {
    this.#ac.abort();
  }
}

export function language(ctx: VerbContext): Language {
  return ctx.vars.get("lang") === "en" ? "en" : "zh";
}

export function refs(ctx: VerbContext, names: readonly string[]): PromptRef[] {
  const lang = language(ctx);
  return names.map((name) => ({ name, lang }));
}

export function scopeOf(ctx: VerbContext): Scope {
  return { caller: ctx.caller, vars: ctx.vars };
}

/**
 * Plays prompts with barge-in, then waits up to `timeoutMs` for one key.
 * Returns the key, null on no input, or "stopped" when the signal fired.
 */
export async function askKey(
  ctx: VerbContext,
  signal: AbortSignal,
  prompts: readonly string[],
  timeoutMs: number,
): Promise<string | null | "stopped"> {
  if (prompts.length > 0) {
    const played = await ctx.port.play(refs(ctx, prompts), { bargeIn: true, signal });
    if (played.stopped || signal.aborted) return "stopped";
    if (played.key !== null) return played.key;
  }
  if (timeoutMs <= 0) return null;
  const got = await ctx.port.collectDigits({
    maxDigits: 1,
    firstDigitTimeoutMs: timeoutMs,
    interDigitTimeoutMs: timeoutMs,
    signal,
  });
  if (got.end === "stopped" || signal.aborted) return "stopped";
  return got.digits.length > 0 ? got.digits.slice(0, 1) : null;
}

/** Plays prompts without barge-in; true when played to the end. */
export async function playAll(
  ctx: VerbContext,
  signal: AbortSignal,
  prompts: readonly string[],
): Promise<boolean> {
  if (prompts.length === 0) return !signal.aborted;
  const played = await ctx.port.play(refs(ctx, prompts), { bargeIn: false, signal });
  return !played.stopped && !signal.aborted;
}
