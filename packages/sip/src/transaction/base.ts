/** What every transaction state machine shares: the env it sends through, named timers, a guard. */
import type { Clock, TimerId } from "../clock.js";
import { SipStackError } from "../errors.js";
import type { SipMessage } from "../message.js";

/** RFC 3261 §17.1.1.1: T1 = 500 ms (RTT estimate), T2 = 4 s, T4 = 5 s. */
export interface TimerConfig {
  T1: number;
  T2: number;
  T4: number;
}

export const DEFAULT_TIMERS: Readonly<TimerConfig> = { T1: 500, T2: 4000, T4: 5000 };

/** Where a transaction sends and how it reports its end; bound to one peer by the layer. */
export interface TransactionEnv {
  clock: Clock;
  timers: Readonly<TimerConfig>;
  /** A reliable transport (TCP, TLS, WS) needs no retransmissions and zero-length wait timers. */
  reliable: boolean;
  send(msg: SipMessage): void;
  /** Called once when the transaction reaches Terminated, so the layer can forget it. */
  onTerminated(): void;
}

export abstract class Transaction<S extends string> {
  protected abstract readonly table: Readonly<Record<S, readonly S[]>>;
  private readonly running = new Map<string, TimerId>();

  protected constructor(
    public state: S,
    protected readonly env: TransactionEnv,
  ) {}

  /** Moves the machine; a move the transition table does not list is a bug, so it throws. */
  protected transition(to: S): void {
    if (!this.table[this.state].includes(to)) {
      throw new SipStackError("SIP_ERR_BAD_STATE", `illegal transition ${this.state} -> ${to}`);
    }
    this.state = to;
    if (to === ("terminated" as S)) {
      for (const id of this.running.values()) this.env.clock.clearTimer(id);
      this.running.clear();
      this.env.onTerminated();
    }
  }

  protected startTimer(name: string, ms: number, fn: () => void): void {
    this.stopTimer(name);
    const id = this.env.clock.setTimer(ms, () => {
      this.running.delete(name);
      fn();
    });
    this.running.set(name, id);
  }

  protected stopTimer(name: string): void {
    const id = this.running.get(name);
    if (id !== undefined) {
      this.env.clock.clearTimer(id);
      this.running.delete(name);
    }
  }

  /** Names of timers currently running (tests assert on them). */
  get timersRunning(): string[] {
    return [...this.running.keys()];
  }
}
