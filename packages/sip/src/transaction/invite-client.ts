/**
 * INVITE client transaction: RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §7.2.
 *
 *   Calling --1xx--> Proceeding --2xx--> Accepted --M--> Terminated
 *      |  \--2xx--> Accepted       \--300-699--> Completed --D--> Terminated
 *      \--300-699--> Completed;  Timer B or transport error --> Terminated
 */
import { buildNon2xxAck } from "../builders.js";
import type { SipRequest, SipResponse } from "../message.js";
import { Transaction, type TransactionEnv } from "./base.js";

export type InviteClientState = "calling" | "proceeding" | "accepted" | "completed" | "terminated";

export interface ClientTransactionUser {
  onResponse(res: SipResponse): void;
  /** Timer B / F fired: the TU treats it as a 408 (§8.1.3.1). */
  onTimeout(): void;
  onTransportError(): void;
}

export class InviteClientTransaction extends Transaction<InviteClientState> {
  protected readonly table = {
    calling: ["proceeding", "accepted", "completed", "terminated"],
    proceeding: ["proceeding", "accepted", "completed", "terminated"],
    accepted: ["terminated"],
    completed: ["terminated"],
    terminated: [],
  } as const satisfies Record<InviteClientState, readonly InviteClientState[]>;
  private ack: SipRequest | undefined;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly tu: ClientTransactionUser,
  ) {
    super("calling", env);
    const { T1 } = env.timers;
    env.send(request);
    // §17.1.1.2: "If an unreliable transport is being used, the client transaction MUST start timer
    // A with a value of T1." "For any transport, the client transaction MUST start timer B with a
    // value of 64*T1 seconds".
    if (!env.reliable) this.armA(T1);
    this.startTimer("B", 64 * T1, () => {
      // "If the client transaction is still in the "Calling" state when timer B fires, the client
      // transaction SHOULD inform the TU that a timeout has occurred."
      if (this.state === "calling") {
        this.transition("terminated");
        this.tu.onTimeout();
      }
    });
  }

  private armA(ms: number): void {
    this.startTimer("A", ms, () => {
      if (this.state !== "calling") return;
      // "When timer A fires, the client transaction MUST retransmit the request ... and reset the
      // timer with a value of 2*T1" (doubling each time).
      this.env.send(this.request);
      this.armA(ms * 2);
    });
  }

  receiveResponse(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case "calling":
      case "proceeding":
        if (s < 200) {
          // "If the client transaction receives a provisional response while in the "Calling" state,
          // it transitions to the "Proceeding" state ... it SHOULD NOT retransmit the request any
          // longer." Provisional responses MUST be passed up to the TU.
          this.stopTimer("A");
          this.transition("proceeding");
          this.tu.onResponse(res);
        } else if (s < 300) {
          // RFC 6026 §8.4: "the client transaction MUST transition to the "Accepted" state, and
          // timer M MUST be started with a value of 64*T1"; the 2xx goes to the TU, which sends ACK.
          this.stopTimer("A");
          this.stopTimer("B");
          this.transition("accepted");
          this.startTimer("M", 64 * this.env.timers.T1, () => this.transition("terminated"));
          this.tu.onResponse(res);
        } else {
          // "When in either the "Calling" or "Proceeding" states, reception of a response with status
          // code from 300-699 MUST cause the client transaction to transition to "Completed". The
          // client transaction MUST pass the received response up to the TU, and the client
          // transaction MUST generate an ACK request". Timer D: 32 s unreliable, zero reliable.
          this.stopTimer("A");
          this.stopTimer("B");
          this.ack = buildNon2xxAck(this.request, res);
          this.env.send(this.ack);
          this.transition("completed");
          this.startTimer("D", this.env.reliable ? 0 : Math.max(32_000, 64 * this.env.timers.T1), () =>
            this.transition("terminated"),
          );
          this.tu.onResponse(res);
        }
        return;
      case "accepted":
        // RFC 6026 §8.4: "any 2xx response that matches ... MUST be passed up to the TU" (the TU
        // re-sends its ACK); anything else is discarded.
        if (s >= 200 && s < 300) this.tu.onResponse(res);
        return;
      case "completed":
        // "Any retransmissions of the final response that are received while in the "Completed"
        // state MUST cause the ACK to be re-passed to the transport layer for retransmission, but
        // the newly received response MUST NOT be passed up to the TU."
        if (s >= 300 && this.ack) this.env.send(this.ack);
        return;
      case "terminated":
        return;
    }
  }

  /** §17.1.1.2: "If the transport layer ... informs the transaction of a transport error, the client transaction transitions to the Terminated state" and tells the TU. */
  transportError(): void {
    if (this.state === "terminated") return;
    this.transition("terminated");
    this.tu.onTransportError();
  }

  /** Stop now (stack closing); the TU is not told. */
  terminate(): void {
    if (this.state !== "terminated") this.transition("terminated");
  }
}
