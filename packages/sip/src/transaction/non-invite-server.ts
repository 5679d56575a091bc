/**
 * Non-INVITE server transaction: RFC 3261 §17.2.2.
 *
 *   Trying --1xx--> Proceeding --200-699--> Completed --J--> Terminated
 *     \--200-699--> Completed
 */
import type { SipRequest, SipResponse } from "../message.js";
import { Transaction, type TransactionEnv } from "./base.js";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteServerTransaction extends Transaction<NonInviteServerState> {
  protected readonly table = {
    trying: ["proceeding", "completed", "terminated"],
    proceeding: ["proceeding", "completed", "terminated"],
    completed: ["terminated"],
    terminated: [],
  } as const satisfies Record<NonInviteServerState, readonly NonInviteServerState[]>;
  private last: SipResponse | undefined;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
  ) {
    super("trying", env);
  }

  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  respond(res: SipResponse): void {
    if (this.state === "completed" || this.state === "terminated") return;
    this.last = res;
    this.env.send(res);
    if (res.status < 200) {
      this.transition("proceeding");
      return;
    }
    // §17.2.2: "the server transaction MUST enter the "Completed" state ... When the server
    // transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for
    // unreliable transports, and zero seconds for reliable transports."
    this.transition("completed");
    this.startTimer("J", this.env.reliable ? 0 : 64 * this.env.timers.T1, () =>
      this.transition("terminated"),
    );
  }

  /** A retransmission of the request. */
  receiveRequest(_req: SipRequest): void {
    // "Once in the "Trying" state, any further request retransmissions are discarded." In Proceeding
    // and Completed the last response "MUST be passed to the transport layer for transmission".
    if ((this.state === "proceeding" || this.state === "completed") && this.last) this.env.send(this.last);
  }

  transportError(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }

  terminate(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }
}
