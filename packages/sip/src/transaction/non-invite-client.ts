/**
 * Non-INVITE client transaction: RFC 3261 §17.1.2.
 *
 *   Trying --1xx--> Proceeding --200-699--> Completed --K--> Terminated
 *     \--200-699--> Completed;  Timer F or transport error --> Terminated
 */
import type { SipRequest, SipResponse } from "../message.js";
import { Transaction, type TransactionEnv } from "./base.js";
import type { ClientTransactionUser } from "./invite-client.js";

export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteClientTransaction extends Transaction<NonInviteClientState> {
  protected readonly table = {
    trying: ["proceeding", "completed", "terminated"],
    proceeding: ["proceeding", "completed", "terminated"],
    completed: ["terminated"],
    terminated: [],
  } as const satisfies Record<NonInviteClientState, readonly NonInviteClientState[]>;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly tu: ClientTransactionUser,
  ) {
    super("trying", env);
    const { T1 } = env.timers;
    env.send(request);
    // §17.1.2.2: "timer F MUST be set to fire in 64*T1 seconds"; "If an unreliable transport is in
    // use, the client transaction MUST set timer E to fire in T1 seconds."
    if (!env.reliable) this.armE(T1);
    this.startTimer("F", 64 * T1, () => {
      // "If Timer F fires while the client transaction is still in the "Trying" [or "Proceeding"]
      // state, the client transaction SHOULD inform the TU about the timeout".
      this.transition("terminated");
      this.tu.onTimeout();
    });
  }

  private armE(ms: number): void {
    this.startTimer("E", ms, () => {
      this.env.send(this.request);
      // Trying: "reset with a value of MIN(2*T1, T2)"; Proceeding: "reset with a value of T2".
      this.armE(this.state === "proceeding" ? this.env.timers.T2 : Math.min(2 * ms, this.env.timers.T2));
    });
  }

  receiveResponse(res: SipResponse): void {
    if (this.state === "completed" || this.state === "terminated") return;
    if (res.status < 200) {
      this.transition("proceeding");
      this.tu.onResponse(res);
      return;
    }
    // "If a final response (status codes 200-699) is received while in the "Trying" [or
    // "Proceeding"] state, the response MUST be passed to the TU, and the client transaction MUST
    // transition to the "Completed" state." Timer K: T4 unreliable, zero reliable.
    this.stopTimer("E");
    this.stopTimer("F");
    this.transition("completed");
    this.startTimer("K", this.env.reliable ? 0 : this.env.timers.T4, () => this.transition("terminated"));
    this.tu.onResponse(res);
  }

  transportError(): void {
    if (this.state === "terminated") return;
    this.transition("terminated");
    this.tu.onTransportError();
  }

  terminate(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }
}
