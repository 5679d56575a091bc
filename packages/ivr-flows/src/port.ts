/**
 * The CALL PORT: everything the interpreter asks of the call it runs on. The
 * server adapts its engine (embedded or FreeSWITCH) to this interface; tests use
 * a scripted in-memory port. Nothing here knows SIP, RTP or sockets.
 *
 * Cancellation: every long operation takes an AbortSignal. When it fires, the
 * port stops the operation (stops playback, leaves the queue, stops collecting)
 * and resolves as "stopped" — it does not reject — so verbs can tell a kill from
 * a failure. A port rejects only on a real failure (engine error), which ends the
 * flow with `end: "error"`.
 */
import type { Language, VarValue } from "./schema.js";

/** One prompt to play: the catalogue name and the language the file is taken from. */
export interface PromptRef {
  name: string;
  lang: Language;
}

export interface PlayOptions {
  /** A DTMF key stops the playback and is returned (and consumed). */
  bargeIn: boolean;
  signal: AbortSignal;
}

export interface PlayResult {
  /** The key that interrupted the playback (bargeIn only), else null. */
  key: string | null;
  /** True when the playback was stopped by the signal rather than played to the end. */
  stopped: boolean;
}

export interface CollectOptions {
  maxDigits: number;
  terminator?: string | undefined;
  /** Wait this long for the first digit (counting from the call, not from any prompt). */
  firstDigitTimeoutMs: number;
  /** Wait this long between two digits. */
  interDigitTimeoutMs: number;
  /** Digits already received (a key that barged into the prompt). */
  initialDigits?: string | undefined;
  signal: AbortSignal;
}

export type CollectEnd = "max" | "terminator" | "timeout" | "stopped";

export interface CollectResult {
  /** The digits received, terminator excluded. */
  digits: string;
  end: CollectEnd;
}

export interface EnqueueRequest {
  queue: string;
  priority: number;
  /** Attached call data: shown to the agent, carried through transfers. */
  data: Record<string, VarValue>;
  /** Whether the queue may offer the caller a callback while waiting. */
  callbackAllowed: boolean;
  /**
   * Called once when an agent answers and the call is bridged: from then on the
   * engine owns the caller's audio, and the verb stops music and announcements.
   */
  onAnswered(agentId: string): void;
  signal: AbortSignal;
}

/**
 * How the wait in a queue ended. `answered` resolves when the agent's leg ends:
 * `endedBy: "agent"` means the caller is still on the line (go on to the survey).
 */
export type QueueOutcome =
  | { kind: "answered"; agentId: string; endedBy: "agent" | "caller" }
  | { kind: "overflow"; reason: string }
  | { kind: "abandoned" }
  | { kind: "callback-accepted" }
  | { kind: "stopped" };

export interface QueueStatus {
  /** 1 = next to be answered. */
  position: number;
  estimatedWaitSeconds: number;
}

export type TransferTarget = { kind: "number"; number: string } | { kind: "uri"; uri: string };

export type TransferResult = { ok: true } | { ok: false; cause: string };

export interface VoicemailRequest {
  mailbox: string;
  maxSeconds: number;
  signal: AbortSignal;
}

export interface CallbackRequest {
  queue: string;
  number: string;
  data: Record<string, VarValue>;
}

export type HangupCause = "normal" | "rejected" | "closed";

export interface SurveyRating {
  /** 1 very satisfied … 5 very dissatisfied (the 12345 survey convention). */
  rating: 1 | 2 | 3 | 4 | 5;
  label: SurveyLabel;
}
export type SurveyLabel = "very-satisfied" | "satisfied" | "neutral" | "dissatisfied" | "very-dissatisfied";

export interface HttpRequest {
  url: string;
  method: "GET" | "POST";
  body?: unknown;
  signal: AbortSignal;
}
export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: unknown;
}
/** Asks an outside system (the 12345 business system) about the caller. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Wall-clock milliseconds plus one-shot timers. `now()` is wall time (epoch ms)
 * because calendars and time-of-day conditions need the date; timers are relative.
 */
export interface TimerHandle {
  cancel(): void;
}
export interface Clock {
  now(): number;
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};

/** Facts about the caller the engine knows when the call arrives. */
export interface CallerInfo {
  /** Calling number (ANI), unmasked: the interpreter needs it for lists and callbacks. */
  number: string;
  /** Dialled number (12345). */
  dialled: string;
  /** Audio callers (PSTN, SIP phones) or video callers (WebRTC caller page). */
  media: "audio" | "video";
  /** Anything else the engine attached (trunk, region, ...). */
  attributes?: Record<string, VarValue>;
}

/** IVR-path events the server records (the caller's path through the flow). */
export type IvrEvent =
  | { type: "node-entered"; at: number; nodeId: string; verb: string }
  | { type: "key-pressed"; at: number; nodeId: string; key: string }
  | { type: "digits-collected"; at: number; nodeId: string; digits: string }
  | { type: "queue-answered"; at: number; nodeId: string; agentId: string }
  | { type: "survey-rated"; at: number; nodeId: string; rating: number }
  | { type: "flow-ended"; at: number; end: string };

export interface CallPort {
  readonly clock: Clock;
  play(prompts: readonly PromptRef[], options: PlayOptions): Promise<PlayResult>;
  collectDigits(options: CollectOptions): Promise<CollectResult>;
  /**
   * Drops DTMF keys received but not yet consumed (type-ahead). The survey calls it
   * so that keys pressed while talking to the agent cannot answer the question.
   */
  clearDigits(): void;
  enqueue(request: EnqueueRequest): Promise<QueueOutcome>;
  /** This call's place in the queue it waits in; null when not queued (any more). */
  queueStatus(): Promise<QueueStatus | null>;
  transfer(target: TransferTarget): Promise<TransferResult>;
  voicemail(request: VoicemailRequest): Promise<{ recorded: boolean }>;
  requestCallback(request: CallbackRequest): Promise<void>;
  recordSurvey(rating: SurveyRating): Promise<void>;
  hangup(cause: HangupCause): Promise<void>;
  readonly calendar: { isOpen(service: string, at: number): Promise<boolean> };
  /** The lists the number is on, e.g. ["black"] or ["white", "priority"]. */
  readonly lists: { match(number: string): Promise<readonly string[]> };
  readonly http: HttpClient;
  /** The event sink; a throwing sink never stops the flow. */
  event(event: IvrEvent): void;
}
