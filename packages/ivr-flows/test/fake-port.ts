/**
 * A scripted in-memory CallPort: THE PORT the interpreter runs against, faked
 * because the real engine is not written yet. A script says when the caller
 * presses keys or hangs up (fake-time offsets from the start), which services
 * are open, which lists the number is on and how each queue ends. The fake
 * logs what the flow did and counts what is still open, so tests can assert
 * that a run leaves nothing behind.
 */
import { DigitCollector } from "../src/digit-collector.js";
import type {
  CallbackRequest,
  CallPort,
  Clock,
  CollectOptions,
  CollectResult,
  EnqueueRequest,
  HangupCause,
  HttpClient,
  IvrEvent,
  PlayOptions,
  PlayResult,
  PromptRef,
  QueueOutcome,
  QueueStatus,
  SurveyRating,
  TimerHandle,
  TransferResult,
  TransferTarget,
  VoicemailRequest,
} from "../src/port.js";
import { FakeClock } from "./fake-clock.js";

export interface QueueScript {
  /** Fake ms after enqueue when the outcome comes. */
  after: number;
  outcome: QueueOutcome;
  /** For `answered`: the agent answers at `after` and the conversation lasts this long (default 60 s). */
  talkMs?: number;
  status?: QueueStatus;
}

export interface CallerScript {
  /** Keys the caller presses, at fake-ms offsets from the start. */
  keys?: Array<{ at: number; key: string }>;
  /**
   * Keys pressed while a given prompt plays, `afterMs` (default 500) into it; each
   * entry is used once, in order — "press 4 when the survey question plays".
   */
  answers?: Array<{ prompt: string; key: string; afterMs?: number }>;
  /** The caller hangs up at this offset. */
  hangupAt?: number;
  open?: Record<string, boolean>;
  lists?: string[];
  queues?: Record<string, QueueScript>;
  http?: HttpClient;
  transfer?: TransferResult;
  /** How long each prompt plays (default 1000 ms, hold music 8000 ms). */
  promptMs?: (ref: PromptRef) => number;
}

export interface PlayLog {
  at: number;
  prompts: string[];
  bargeIn: boolean;
  key: string | null;
  stopped: boolean;
  /** Whether an agent was talking to the caller when the play began (causal, not by clock). */
  talking: boolean;
}

export class ScriptedPort<C extends Clock = FakeClock> implements CallPort {
  readonly clock: C;
  /** Aborted at the scripted hangup: pass `hangupSignal` to runFlow. */
  readonly #hangup = new AbortController();
  readonly plays: PlayLog[] = [];
  readonly enqueued: Array<Omit<EnqueueRequest, "signal" | "onAnswered"> & { at: number }> = [];
  readonly leftQueue: string[] = [];
  /** When agents answered (the conversation began). */
  readonly answeredAt: number[] = [];
  /** Conversations that ran to their end, [from, to) in fake ms. */
  readonly conversations: Array<{ from: number; to: number }> = [];
  #talking = false;
  readonly surveys: SurveyRating[] = [];
  readonly hangups: HangupCause[] = [];
  readonly callbacks: CallbackRequest[] = [];
  readonly transfers: TransferTarget[] = [];
  readonly voicemails: string[] = [];
  readonly events: IvrEvent[] = [];
  readonly collects: CollectResult[] = [];
  /** Buffered keys dropped by clearDigits. */
  readonly cleared: string[] = [];
  /** Plays, collectors and queue waits still open. */
  open = 0;

  #buffer: string[] = [];
  #bargeIn: ((key: string) => void) | undefined;
  #collector: DigitCollector | undefined;
  #status: QueueStatus | null = null;
  #answered = 0;
  /** The caller's scripted actions still to come; close() cancels them. */
  readonly #script: TimerHandle[] = [];

  constructor(script?: CallerScript);
  constructor(script: CallerScript, clock: C);
  constructor(
    private readonly script: CallerScript = {},
    clock?: C,
  ) {
    // Without a clock the port runs in fake time (the default type parameter).
    clock ??= new FakeClock() as unknown as C;
    this.clock = clock;
    for (const { at, key } of script.keys ?? [])
      this.#script.push(clock.setTimer(() => this.#press(key), at));
    if (script.hangupAt !== undefined)
      this.#script.push(clock.setTimer(() => this.#hangup.abort(), script.hangupAt));
  }

  /** Cancels what the script still had to do, so that any timer left on the clock is the run's. */
  close(): void {
    for (const t of this.#script.splice(0)) t.cancel();
  }

  get hangupSignal(): AbortSignal {
    return this.#hangup.signal;
  }

  /** Prompt names played so far, flattened, as "lang:name". */
  get heard(): string[] {
    return this.plays.flatMap((p) => p.prompts);
  }

  #press(key: string): void {
    if (this.#hangup.signal.aborted) return;
    if (this.#bargeIn) this.#bargeIn(key);
    else if (this.#collector) this.#collector.feed(key);
    else this.#buffer.push(key);
  }

  #scheduleAnswer(prompts: readonly PromptRef[]): void {
    const next = this.script.answers?.[this.#answered];
    if (!next) return;
    let offset = 0;
    for (const p of prompts) {
      if (p.name === next.prompt) {
        this.#answered++;
        this.#script.push(this.clock.setTimer(() => this.#press(next.key), offset + (next.afterMs ?? 500)));
        return;
      }
      offset += this.#duration(p);
    }
  }

  #duration(ref: PromptRef): number {
    return this.script.promptMs?.(ref) ?? (ref.name === "hold-music" ? 8000 : 1000);
  }

  play(prompts: readonly PromptRef[], options: PlayOptions): Promise<PlayResult> {
    const log: PlayLog = {
      at: this.clock.now(),
      prompts: prompts.map((p) => `${p.lang}:${p.name}`),
      bargeIn: options.bargeIn,
      key: null,
      stopped: false,
      talking: this.#talking,
    };
    this.plays.push(log);
    this.#scheduleAnswer(prompts);
    // A key already buffered interrupts a barge-in prompt at once (type-ahead).
    if (options.bargeIn && this.#buffer.length > 0) {
      log.key = this.#buffer.shift() ?? null;
      return Promise.resolve({ key: log.key, stopped: false });
    }
    if (options.signal.aborted) {
      log.stopped = true;
      return Promise.resolve({ key: null, stopped: true });
    }
    this.open++;
    return new Promise((resolve) => {
      const done = (r: PlayResult) => {
        timer.cancel();
        options.signal.removeEventListener("abort", onAbort);
        if (this.#bargeIn === onKey) this.#bargeIn = undefined;
        this.open--;
        log.key = r.key;
        log.stopped = r.stopped;
        resolve(r);
      };
      const total = prompts.reduce((ms, p) => ms + this.#duration(p), 0);
      const timer = this.clock.setTimer(() => done({ key: null, stopped: false }), total);
      const onAbort = () => done({ key: null, stopped: true });
      const onKey = (key: string) => done({ key, stopped: false });
      options.signal.addEventListener("abort", onAbort, { once: true });
      if (options.bargeIn) this.#bargeIn = onKey;
    });
  }

  collectDigits(options: CollectOptions): Promise<CollectResult> {
    const collector = new DigitCollector({ ...options }, this.clock);
    const buffered = this.#buffer;
    this.#buffer = [];
    for (const key of buffered) collector.feed(key);
    if (options.signal.aborted) collector.stop();
    if (collector.done) {
      return collector.result.then((r) => {
        this.collects.push(r);
        return r;
      });
    }
    this.open++;
    this.#collector = collector;
    const onAbort = () => collector.stop();
    options.signal.addEventListener("abort", onAbort, { once: true });
    return collector.result.then((r) => {
      options.signal.removeEventListener("abort", onAbort);
      if (this.#collector === collector) this.#collector = undefined;
      this.open--;
      this.collects.push(r);
      return r;
    });
  }

  clearDigits(): void {
    this.cleared.push(...this.#buffer);
    this.#buffer = [];
  }

  enqueue(request: EnqueueRequest): Promise<QueueOutcome> {
    const { signal, onAnswered: _onAnswered, ...rest } = request;
    this.enqueued.push({ ...rest, at: this.clock.now() });
    const q = this.script.queues?.[request.queue];
    if (!q) return Promise.reject(new Error(`no script for queue ${request.queue}`));
    this.#status = q.status ?? { position: 1, estimatedWaitSeconds: 30 };
    this.open++;
    return new Promise((resolve) => {
      const done = (o: QueueOutcome) => {
        timer.cancel();
        signal.removeEventListener("abort", onAbort);
        this.#status = null;
        this.open--;
        resolve(o);
      };
      let timer: TimerHandle;
      if (q.outcome.kind === "answered") {
        const { agentId } = q.outcome;
        timer = this.clock.setTimer(() => {
          this.answeredAt.push(this.clock.now());
          this.#talking = true;
          request.onAnswered(agentId);
          const from = this.clock.now();
          timer = this.clock.setTimer(() => {
            this.#talking = false;
            this.conversations.push({ from, to: this.clock.now() });
            done(q.outcome);
          }, q.talkMs ?? 60_000);
        }, q.after);
      } else {
        timer = this.clock.setTimer(() => done(q.outcome), q.after);
      }
      const onAbort = () => {
        this.leftQueue.push(request.queue);
        done({ kind: "stopped" });
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  async queueStatus(): Promise<QueueStatus | null> {
    return this.#status;
  }

  async transfer(target: TransferTarget): Promise<TransferResult> {
    this.transfers.push(target);
    return this.script.transfer ?? { ok: true };
  }

  voicemail(request: VoicemailRequest): Promise<{ recorded: boolean }> {
    this.voicemails.push(request.mailbox);
    // The message takes 5 s of fake time to leave.
    return new Promise((resolve) => {
      const t = this.clock.setTimer(() => resolve({ recorded: true }), 5000);
      request.signal.addEventListener("abort", () => {
        t.cancel();
        resolve({ recorded: false });
      });
    });
  }

  async requestCallback(request: CallbackRequest): Promise<void> {
    this.callbacks.push(request);
  }

  async recordSurvey(rating: SurveyRating): Promise<void> {
    this.surveys.push(rating);
  }

  async hangup(cause: HangupCause): Promise<void> {
    this.hangups.push(cause);
  }

  readonly calendar = {
    isOpen: async (service: string, _at: number) => this.script.open?.[service] ?? false,
  };

  readonly lists = {
    match: async (_number: string) => this.script.lists ?? [],
  };

  readonly http: HttpClient = (req) =>
    this.script.http ? this.script.http(req) : Promise.reject(new Error("no http script"));

  event(event: IvrEvent): void {
    this.events.push(event);
  }
}

export const audioCaller = { number: "13800001234", dialled: "12345", media: "audio" as const };
export const videoCaller = { number: "13900005678", dialled: "12345", media: "video" as const };
