/**
 * The transaction layer: creates transactions and matches incoming messages to them
 * (RFC 3261 §17.1.3 for responses, §17.2.3 for requests, with the RFC 2543 fallback).
 */

import { MAGIC_COOKIE } from "../builders.js";
import type { Clock } from "../clock.js";
import type { SipRequest, SipResponse } from "../message.js";
import { DEFAULT_TIMERS, type TimerConfig, type TransactionEnv } from "./base.js";
import { type ClientTransactionUser, InviteClientTransaction } from "./invite-client.js";
import { InviteServerTransaction, type InviteServerTransactionUser } from "./invite-server.js";
import { NonInviteClientTransaction } from "./non-invite-client.js";
import { NonInviteServerTransaction } from "./non-invite-server.js";

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** Where a transaction sends, bound by the caller (the stack knows transports and destinations). */
export interface TransactionSink {
  reliable: boolean;
  send(msg: SipRequest | SipResponse): void;
  /** Told when the transaction it serves terminates. */
  onTerminated?: () => void;
}

function branchOf(msg: SipRequest | SipResponse): string {
  return msg.topVia?.params.get("branch") ?? "";
}

/**
 * §17.1.3: a response matches a client transaction when "the response has the same value of the
 * branch parameter in the top Via header field as the branch parameter in the top Via header field
 * of the request that created the transaction" and "the method parameter in the CSeq header field
 * matches the method of the request that created the transaction."
 */
export function clientKey(msg: SipRequest | SipResponse, method: string): string {
  return `${branchOf(msg)}|${method}`;
}

/**
 * §17.2.3: with a magic-cookie branch, match on branch, sent-by and method (ACK matches INVITE).
 * Otherwise fall back to the RFC 2543 rules: Request-URI, tags, Call-ID, CSeq and top Via.
 */
export function serverKey(req: SipRequest): string {
  const via = req.topVia;
  const method = req.method === "ACK" ? "INVITE" : req.method;
  const branch = via?.params.get("branch") ?? "";
  const sentBy = via ? `${via.host}:${via.port ?? ""}` : "";
  if (branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  return `2543|${req.callId}|${req.cseq.seq}|${req.fromTag ?? ""}|${sentBy}|${method}`;
}

export class TransactionLayer {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  readonly timers: TimerConfig;

  constructor(
    readonly clock: Clock,
    timers: Partial<TimerConfig> = {},
  ) {
    this.timers = { ...DEFAULT_TIMERS, ...timers };
  }

  private env(sink: TransactionSink, onEnd: () => void): TransactionEnv {
    return {
      clock: this.clock,
      timers: this.timers,
      reliable: sink.reliable,
      send: (m) => sink.send(m),
      onTerminated: onEnd,
    };
  }

  createClient(req: SipRequest, sink: TransactionSink, tu: ClientTransactionUser): ClientTransaction {
    const key = clientKey(req, req.method);
    const env = this.env(sink, () => {
      if (this.clients.get(key) === tx) this.clients.delete(key);
      sink.onTerminated?.();
    });
    let tx: ClientTransaction | undefined;
    tx =
      req.method === "INVITE"
        ? new InviteClientTransaction(req, env, tu)
        : new NonInviteClientTransaction(req, env, tu);
    if (tx.state !== "terminated") this.clients.set(key, tx);
    return tx;
  }

  createServer(req: SipRequest, sink: TransactionSink, tu: InviteServerTransactionUser): ServerTransaction {
    const key = serverKey(req);
    let tx: ServerTransaction | undefined;
    const env = this.env(sink, () => {
      if (this.servers.get(key) === tx) this.servers.delete(key);
      sink.onTerminated?.();
    });
    tx =
      req.method === "INVITE"
        ? new InviteServerTransaction(req, env, tu)
        : new NonInviteServerTransaction(req, env);
    this.servers.set(key, tx);
    return tx;
  }

  matchClient(res: SipResponse): ClientTransaction | undefined {
    let method: string;
    try {
      method = res.cseq.method;
    } catch {
      return undefined;
    }
    return this.clients.get(clientKey(res, method));
  }

  matchServer(req: SipRequest): ServerTransaction | undefined {
    return this.servers.get(serverKey(req));
  }

  /** §9.2: the INVITE server transaction a CANCEL refers to (same key, method INVITE). */
  matchCancelled(cancel: SipRequest): InviteServerTransaction | undefined {
    const via = cancel.topVia;
    const branch = via?.params.get("branch") ?? "";
    const sentBy = via ? `${via.host}:${via.port ?? ""}` : "";
    const key = branch.startsWith(MAGIC_COOKIE)
      ? `${branch}|${sentBy}|INVITE`
      : `2543|${cancel.callId}|${cancel.cseq.seq}|${cancel.fromTag ?? ""}|${sentBy}|INVITE`;
    const tx = this.servers.get(key);
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Live transactions: a fuzz or soak test asserts this returns to zero. */
  get size(): { clients: number; servers: number } {
    return { clients: this.clients.size, servers: this.servers.size };
  }

  /** Every server transaction (merged-request detection walks them). */
  serverTransactions(): IterableIterator<ServerTransaction> {
    return this.servers.values();
  }

  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    this.clients.clear();
    this.servers.clear();
  }
}
