/**
 * INVITE server transaction: RFC 3261 §17.2.1 with RFC 6026 §7.1 (Accepted state).
 *
 *   Proceeding --2xx--> Accepted --L--> Terminated
 *       \--300-699--> Completed --ACK--> Confirmed --I--> Terminated
 *                        \--H (no ACK)--> Terminated
 */
import type { SipRequest, SipResponse } from "../message.js";
import { Transaction, type TransactionEnv } from "./base.js";

export type InviteServerState = "proceeding" | "accepted" | "completed" | "confirmed" | "terminated";

export interface InviteServerTransactionUser {
  /** Timer H fired: no ACK came for our non-2xx final (§17.2.1). */
  onTimeout(): void;
}

export class InviteServerTransaction extends Transaction<InviteServerState> {
  protected readonly table = {
    proceeding: ["proceeding", "accepted", "completed", "terminated"],
    accepted: ["accepted", "terminated"],
    completed: ["confirmed", "terminated"],
    confirmed: ["terminated"],
    terminated: [],
  } as const satisfies Record<InviteServerState, readonly InviteServerState[]>;
  private last: SipResponse | undefined;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly tu: InviteServerTransactionUser,
  ) {
    super("proceeding", env);
  }

  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  /** The TU's response goes out through the transaction. */
  respond(res: SipResponse): void {
    const s = res.status;
    if (this.state === "proceeding") {
      this.last = res;
      this.env.send(res);
      if (s < 200) return;
      if (s < 300) {
        // RFC 6026 §7.1: "If, while in the "Proceeding" state, the TU passes a 2xx response to the
        // server transaction, the server transaction MUST pass this response to the transport
        // layer for transmission ... MUST then transition to the "Accepted" state" and start timer L
        // (64*T1).
        this.transition("accepted");
        this.startTimer("L", 64 * this.env.timers.T1, () => this.transition("terminated"));
        return;
      }
      // §17.2.1: "the state machine MUST enter the "Completed" state. For unreliable transports,
      // timer G is set to fire in T1 seconds ... timer H MUST be set to fire in 64*T1 seconds for
      // all transports."
      this.transition("completed");
      if (!this.env.reliable) this.armG(this.env.timers.T1);
      this.startTimer("H", 64 * this.env.timers.T1, () => {
        this.transition("terminated");
        this.tu.onTimeout();
      });
      return;
    }
    if (this.state === "accepted" && s >= 200 && s < 300) {
      // RFC 6026 §7.1: "The server transaction MUST NOT generate 2xx retransmissions on its own. Any
      // retransmission of the 2xx response passed from the TU ... while in the "Accepted" state
      // MUST be passed to the transport layer".
      this.env.send(res);
    }
  }

  private armG(ms: number): void {
    this.startTimer("G", ms, () => {
      if (this.state !== "completed" || !this.last) return;
      // "If timer G fires, the response is passed to the transport layer once more for
      // retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds."
      this.env.send(this.last);
      this.armG(Math.min(2 * ms, this.env.timers.T2));
    });
  }

  /** A retransmission of the INVITE, or the ACK for our non-2xx final. */
  receiveRequest(req: SipRequest): void {
    if (req.method === "ACK") {
      if (this.state !== "completed") return;
      // "If an ACK is received while the server transaction is in the "Completed" state, the server
      // transaction MUST transition to the "Confirmed" state. ... timer I is set to fire in T4
      // seconds for unreliable transports, and zero seconds for reliable transports."
      this.stopTimer("G");
      this.stopTimer("H");
      this.transition("confirmed");
      this.startTimer("I", this.env.reliable ? 0 : this.env.timers.T4, () => this.transition("terminated"));
      return;
    }
    // "If a request retransmission is received while in the "Proceeding" state, the most recent
    // provisional response that was received from the TU MUST be passed to the transport layer".
    // In Completed, "the server SHOULD pass the response to the transport for retransmission".
    // RFC 6026 §7.1: in Accepted, retransmitted INVITEs are absorbed.
    if ((this.state === "proceeding" || this.state === "completed") && this.last) this.env.send(this.last);
  }

  transportError(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }

  terminate(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }
}
