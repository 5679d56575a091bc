/**
 * The SIP stack: transports below, the transaction layer in the middle, a user-agent core on top
 * (RFC 3261 §8, §12-§13, §17-§18). It is fed whole messages by the adapters and time by the clock;
 * it never throws out of `receive`. A B2BUA is written against `onRequest`, `request`, `invite` and
 * `Dialog`, never against the wire.
 */
import {
  buildCancel,
  createResponse,
  MAGIC_COOKIE,
  newBranch,
  newCallId,
  newTag,
  type ResponseOptions,
} from "./builders.js";
import { type Clock, RealClock, type TimerId } from "./clock.js";
import { Dialog, type DialogOptions } from "./dialog.js";
import { SipError, SipParseError, SipStackError } from "./errors.js";
import { TypedEmitter } from "./events.js";
import {
  parseNameAddr,
  parseUri,
  parseViaList,
  type SipUri,
  serializeNameAddr,
  serializeUri,
  serializeVia,
  type Via,
} from "./grammar.js";
import { REASONS, SipHeaders, type SipMessage, SipRequest, SipResponse } from "./message.js";
import { DEFAULT_LIMITS, type ParseLimits, parseMessage } from "./parser.js";
import { serializeMessage } from "./serializer.js";
import type { TimerConfig } from "./transaction/base.js";
import { InviteClientTransaction } from "./transaction/invite-client.js";
import { InviteServerTransaction } from "./transaction/invite-server.js";
import { type ClientTransaction, type ServerTransaction, TransactionLayer } from "./transaction/layer.js";
import type { Endpoint, Transport, TransportProtocol } from "./transport/types.js";

export interface SipStackOptions {
  transports: Transport[];
  clock?: Clock;
  timers?: Partial<TimerConfig>;
  limits?: ParseLimits;
  /** Sent as User-Agent / Server. */
  userAgent?: string;
  /** Host to put in Via / Contact when a transport listens on a wildcard address. */
  publicAddress?: string;
  /**
   * User-Agent substrings of known scanners; their requests are dropped without an answer (an
   * answer only confirms a live target). Defaults to `DEFAULT_SCANNERS`.
   */
  scanners?: readonly string[];
}

/** RFC 4028 §4: "the minimum allowed value for the session interval ... 90 seconds". */
export const MIN_SE = 90;

/** Option tags we implement (Require values we accept, RFC 3261 §8.2.2.3). */
export const SUPPORTED_OPTIONS: readonly string[] = ["timer", "replaces", "outbound", "path"];

export const DEFAULT_SCANNERS: readonly string[] = [
  "friendly-scanner",
  "sipcli",
  "sipvicious",
  "sip-scan",
  "sundayddr",
  "iWar",
  "sipsak",
  "VaxSIPUserAgent",
  "pplsip",
];

export interface SendOptions {
  /** Where to send; by default resolved from the first Route (loose routing) or the Request-URI. */
  destination?: Endpoint;
  /** Provisional responses, as they arrive. */
  onProvisional?: (res: SipResponse) => void;
  /** Credentials to answer a 401/407 challenge once (client digest, RFC 8760). */
  credentials?: { username: string; password: string };
  /** @internal keep this Via branch (CANCEL reuses the INVITE's, §9.1). */
  branch?: string;
}

export type StackEvents = {
  /** A request no handler was registered for was answered by default. */
  unhandled: [req: SipRequest];
  /** A malformed message was rejected (requests got a 400/505, responses were dropped). */
  parseError: [error: SipParseError, source: Endpoint];
  /** A scanner's request was dropped. */
  scannerDropped: [req: SipRequest, source: Endpoint];
  connectionClosed: [connectionId: string];
};

export type RequestHandler = (inc: IncomingRequest) => void | Promise<void>;

/** Credentials hook used for client-side digest (set by `digest.ts` to keep this file transport-pure). */
export type AuthorizeFn = (
  req: SipRequest,
  challenge: SipResponse,
  creds: { username: string; password: string },
) => string | undefined;

let authorize: AuthorizeFn | undefined;
/** @internal wiring from digest.ts */
export function setClientAuthorizer(fn: AuthorizeFn): void {
  authorize = fn;
}

/**
 * A request received outside any transaction we know: the handler answers it through `respond`
 * (or, for INVITE, `accept`). Exactly one final response is sent; later ones are ignored.
 */
export class IncomingRequest extends TypedEmitter<{ cancel: [] }> {
  readonly toTag = newTag();
  private finalSent = false;
  cancelled = false;

  constructor(
    readonly stack: SipStack,
    readonly request: SipRequest,
    readonly source: Endpoint,
    /** @internal */ readonly tx: ServerTransaction,
    /** The dialog this request belongs to, for in-dialog requests. */
    readonly dialog?: Dialog | undefined,
  ) {
    super();
  }

  get method(): string {
    return this.request.method;
  }

  get answered(): boolean {
    return this.finalSent;
  }

  /** Send a response; a Contact is added to 2xx/18x answers of dialog-creating requests. */
  respond(status: number, opts: ResponseOptions = {}): SipResponse | undefined {
    if (this.finalSent) return undefined;
    if (this.request.method === "INVITE" && status >= 200 && status < 300) {
      // A 2xx to INVITE makes a dialog and must be retransmitted until the ACK (§13.3.1.4): that is
      // accept()'s job, so route it there (the dialog is then only reachable through accept()).
      const headers: Array<readonly [string, string]> = [...(opts.headers ?? [])];
      void this.accept({ body: opts.body, headers }).catch(() => {});
      return undefined;
    }
    if (status >= 200) this.finalSent = true;
    if (status >= 300 && this.dialog && this.request.method === "INVITE") this.dialog.reinviteRejected();
    // Answered: a CANCEL can no longer change anything (§9.2), so stop tracking it.
    if (status >= 200 && this.tx instanceof InviteServerTransaction)
      this.stack.pendingInvites.delete(this.tx);
    const res = createResponse(this.request, status, { toTag: this.toTag, ...opts });
    this.stack.decorateResponse(res, this);
    this.tx.respond(res);
    return res;
  }

  /**
   * Answer an INVITE with 2xx and build the UAS dialog (§12.1.1, §13.3.1.4): the 2xx is
   * retransmitted until the ACK; the promise resolves on ACK and rejects with a SipError(408) if no
   * ACK arrives within 64*T1 (the dialog then sends BYE).
   */
  accept(
    opts: {
      body?: Buffer | string;
      contentType?: string;
      headers?: Iterable<readonly [string, string]>;
    } = {},
  ): Promise<Dialog> {
    if (this.request.method !== "INVITE")
      throw new SipStackError("SIP_ERR_BAD_STATE", "accept() is for INVITE");
    if (this.finalSent) return Promise.reject(new SipStackError("SIP_ERR_BAD_STATE", "already answered"));
    const headers: Array<readonly [string, string]> = [...(opts.headers ?? [])];
    if (opts.body !== undefined) headers.push(["Content-Type", opts.contentType ?? "application/sdp"]);
    const res = createResponse(this.request, 200, { toTag: this.toTag, headers, body: opts.body });
    this.stack.decorateResponse(res, this);
    this.finalSent = true;
    const ist = this.tx as InviteServerTransaction;
    this.stack.pendingInvites.delete(ist);
    if (this.dialog) return this.dialog.acceptReinvite(res, ist);
    const dialog = this.stack.createUasDialog(this, res);
    for (const [n, v] of dialog.setupUasSessionTimer(this.request)) res.headers.append(n, v);
    ist.respond(res);
    return dialog.waitForAck(res, ist);
  }

  /** @internal CANCEL arrived for this INVITE. */
  cancel(): void {
    if (this.cancelled || this.finalSent) return;
    this.cancelled = true;
    // §9.2: "the UAS core ... SHOULD respond to the INVITE with a 487 (Request Terminated)."
    this.respond(487);
    this.emit("cancel");
  }
}

/** An INVITE we sent: `dialog` settles with the answer; `cancel()` sends CANCEL once it may (§9.1). */
export interface OutgoingInvite {
  readonly request: SipRequest;
  readonly dialog: Promise<Dialog>;
  cancel(reason?: string): void;
}

export interface NewRequestOptions {
  from: string;
  to?: string;
  callId?: string;
  cseq?: number;
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer | string;
  contentType?: string;
}

function destinationFor(uri: SipUri, fallback: TransportProtocol): Endpoint {
  const t = uri.params.get("transport")?.toLowerCase();
  const protocol: TransportProtocol =
    t === "tcp" || t === "udp" || t === "tls" || t === "ws" || t === "wss"
      ? t
      : uri.scheme === "sips"
        ? "tls"
        : fallback;
  const host = uri.host.startsWith("[") ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address: host, port: uri.port ?? (protocol === "tls" ? 5061 : 5060) };
}

export class SipStack extends TypedEmitter<StackEvents> {
  readonly clock: Clock;
  readonly transactions: TransactionLayer;
  readonly transports: readonly Transport[];
  readonly limits: ParseLimits;
  readonly userAgent: string;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly dialogs = new Map<string, Dialog>();
  private readonly merged = new Map<string, ServerTransaction>();
  private readonly inFlight = new Map<string, Set<ClientTransaction>>();
  private readonly scanners: readonly string[];
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: SipStackOptions) {
    super();
    this.clock = opts.clock ?? new RealClock();
    this.transactions = new TransactionLayer(this.clock, opts.timers);
    this.transports = opts.transports;
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.userAgent = opts.userAgent ?? "hotline12345-sip";
    this.scanners = (opts.scanners ?? DEFAULT_SCANNERS).map((s) => s.toLowerCase());
    for (const t of this.transports) {
      t.setHandler({
        message: (data, source) => this.receive(data, source),
        connectionClosed: (id) => this.emit("connectionClosed", id),
        framingError: () => {},
        sendFailed: (dest) => {
          for (const tx of [...(this.inFlight.get(`${dest.protocol}|${dest.address}|${dest.port}`) ?? [])]) {
            tx.transportError();
          }
        },
      });
    }
  }

  /** Register the handler for a method outside dialogs (one per method; "*" catches the rest). */
  onRequest(method: string, handler: RequestHandler): this {
    this.handlers.set(method, handler);
    return this;
  }

  transportFor(protocol: TransportProtocol): Transport | undefined {
    return this.transports.find((t) => t.protocol === protocol);
  }

  /** Our address for a transport (Via sent-by, Contact host). */
  hostFor(t: Transport): string {
    const a = this.opts.publicAddress ?? t.local.address;
    return a.includes(":") ? `[${a}]` : a;
  }

  /** Contact URI for messages going out on this transport. */
  contactFor(protocol: TransportProtocol, user?: string): string {
    const t = this.transportFor(protocol) ?? this.transports[0];
    if (!t) throw new SipStackError("SIP_ERR_NO_TRANSPORT", "no transport");
    const u = user === undefined ? "" : `${user}@`;
    const tp = t.protocol === "udp" ? "" : `;transport=${t.protocol}`;
    return `<sip:${u}${this.hostFor(t)}:${t.local.port}${tp}>`;
  }

  // ---------------------------------------------------------------- receiving

  /** Entry point for adapters (and tests): one whole message. Never throws. */
  receive(data: Buffer, source: Endpoint): void {
    let msg: SipMessage;
    try {
      msg = parseMessage(data, this.limits);
    } catch (e) {
      try {
        if (e instanceof SipParseError) this.rejectMalformed(e, source);
      } catch {
        // Not even a 400 could be built from what arrived: drop it.
      }
      return;
    }
    try {
      if (msg.kind === "request") this.receiveRequest(msg, source);
      else this.receiveResponse(msg);
    } catch (e) {
      // A bug or an unexpected header shape must not take the process down; answer 500 if we can.
      if (msg.kind === "request" && msg.method !== "ACK") {
        try {
          const res = createResponse(msg, 500, { toTag: newTag(), reason: "Server Internal Error" });
          // Answer through the transaction if one was made, so it does not linger unanswered.
          const tx = this.transactions.matchServer(msg);
          if (tx && (tx.state === "trying" || tx.state === "proceeding")) tx.respond(res);
          else this.sendStateless(res, source);
        } catch {
          // nothing more we can do
        }
      }
      process.emitWarning(`sip: error handling message: ${String(e)}`);
    }
  }

  /**
   * §21.4.1 / RFC 4475: "A malformed request gets 400 with a reason phrase that says what was wrong;
   * a malformed response is dropped." We can only answer when Via, From, To, Call-ID and CSeq were
   * readable enough to route the answer back.
   */
  private rejectMalformed(e: SipParseError, source: Endpoint): void {
    this.emit("parseError", e, source);
    const p = e.partial;
    if (!p?.isRequest) return;
    const h = p.headers;
    // Via and CSeq are the least needed to route and match a 400; From, To and Call-ID are copied
    // when present (RFC 4475 §3.3.1: a request missing them should still get a 400).
    if (!h.get("Via") || !h.get("CSeq")) return;
    if (/\bACK\s*$/i.test(h.get("CSeq") ?? "")) return;
    this.stampVia(h, source);
    const res = new SipResponse(
      e.status,
      e.status === 505 ? "Version Not Supported" : e.reason,
      new SipHeaders(),
    );
    for (const v of h.getLines("Via")) res.headers.append("Via", v);
    for (const n of ["From", "To", "Call-ID", "CSeq"]) {
      const v = h.get(n);
      if (v !== undefined) res.headers.append(n, v);
    }
    res.headers.append("Server", this.userAgent);
    this.sendResponse(res, source);
  }

  /**
   * §18.2.1: "the server transport MUST add a "received" parameter" when sent-by differs from the
   * source address; RFC 3581 §4: an empty "rport" is filled with the source port.
   */
  private stampVia(headers: SipHeaders, source: Endpoint): void {
    const first = headers.list.find((h) => h.name === "Via");
    if (!first) return;
    let via: Via | undefined;
    try {
      via = parseViaList(first.value)[0];
    } catch {
      return;
    }
    if (!via) return;
    const host = via.host.startsWith("[") ? via.host.slice(1, -1) : via.host;
    if (host !== source.address) via.params.set("received", source.address);
    if (via.params.has("rport")) {
      via.params.set("rport", String(source.port));
      via.params.set("received", source.address);
    }
    first.value = serializeVia(via) + this.restOfViaLine(first.value);
  }

  private isScanner(req: SipRequest): boolean {
    const ua = (req.headers.get("User-Agent") ?? "").toLowerCase();
    return ua !== "" && this.scanners.some((s) => ua.includes(s));
  }

  private receiveRequest(req: SipRequest, source: Endpoint): void {
    if (this.closing) return;
    this.stampVia(req.headers, source);
    const existing = this.transactions.matchServer(req);
    if (existing) {
      existing.receiveRequest(req);
      return;
    }
    if (req.method === "ACK") {
      // §17.2.3: an ACK for a 2xx matches no transaction; it goes to the dialog (UAS core, §13.3.1.4).
      this.findDialog(req)?.receiveAck(req);
      return;
    }
    if (this.isScanner(req)) {
      this.emit("scannerDropped", req, source);
      return;
    }
    const reliable = source.protocol !== "udp";
    const sink = {
      reliable,
      send: (m: SipRequest | SipResponse) => {
        this.sendResponse(m, source);
      },
    };
    if (req.method === "CANCEL") {
      const tx = this.transactions.createServer(req, sink, { onTimeout: () => {} });
      const invite = this.transactions.matchCancelled(req);
      // §9.2: no matching transaction → 481; otherwise 200 to the CANCEL, then 487 to the INVITE.
      const res = createResponse(req, invite ? 200 : 481, {
        toTag: invite ? this.pendingInvites.get(invite)?.toTag : newTag(),
      });
      tx.respond(res);
      if (invite) this.pendingInvites.get(invite)?.cancel();
      return;
    }
    const toTag = req.toTag;
    if (toTag === undefined) {
      // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq as an ongoing transaction that the
      // request does not match → "SHOULD generate a 482 (Loop Detected) response".
      const key = `${req.fromTag ?? ""}|${req.callId}|${req.headers.get("CSeq")}`;
      const other = this.merged.get(key);
      if (other && other.state !== "terminated") {
        const tx = this.transactions.createServer(req, sink, { onTimeout: () => {} });
        tx.respond(createResponse(req, 482, { toTag: newTag() }));
        return;
      }
    }
    let inc: IncomingRequest | undefined;
    const mergeKey =
      toTag === undefined ? `${req.fromTag ?? ""}|${req.callId}|${req.headers.get("CSeq")}` : undefined;
    const tx: ServerTransaction = this.transactions.createServer(
      req,
      {
        reliable,
        send: sink.send,
        onTerminated: () => {
          if (mergeKey !== undefined && this.merged.get(mergeKey) === tx) this.merged.delete(mergeKey);
          if (tx instanceof InviteServerTransaction) this.pendingInvites.delete(tx);
        },
      },
      { onTimeout: () => {} },
    );
    if (mergeKey !== undefined) this.merged.set(mergeKey, tx);
    const refusal = this.uasChecks(req);
    if (refusal) {
      tx.respond(refusal);
      return;
    }
    if (req.method === "INVITE") {
      // §17.2.1: "the server transaction MUST generate a 100 (Trying) response unless it knows that
      // the TU will generate a provisional or final response within 200 ms".
      tx.respond(createResponse(req, 100));
    }
    if (toTag !== undefined) {
      const dialog = this.findDialog(req);
      if (!dialog) {
        // §12.2.2: "If the UAS wishes to reject the request because it does not wish to recreate the
        // dialog, it MUST respond to the request with a 481 (Call/Transaction Does Not Exist)".
        tx.respond(createResponse(req, 481));
        return;
      }
      inc = new IncomingRequest(this, req, source, tx, dialog);
      dialog.receiveRequest(inc);
      return;
    }
    inc = new IncomingRequest(this, req, source, tx);
    if (req.method === "INVITE") this.trackInvite(tx as InviteServerTransaction, inc);
    const handler = this.handlers.get(req.method) ?? this.handlers.get("*");
    if (!handler) {
      this.emit("unhandled", req);
      if (req.method === "OPTIONS") inc.respond(200, { headers: [["Allow", this.allow()]] });
      else inc.respond(405, { headers: [["Allow", this.allow()]] });
      return;
    }
    this.dispatch(inc, handler);
  }

  /**
   * Run a handler (a method of its own: closures made in `receiveRequest` share one V8 context
   * with the transaction's callbacks, which live for 64*T1, and must not capture the request).
   */
  private dispatch(inc: IncomingRequest, handler: RequestHandler): void {
    Promise.resolve()
      .then(() => handler(inc))
      .catch((e: unknown) => {
        if (e instanceof SipError) inc.respond(e.status, { reason: e.reason });
        else {
          process.emitWarning(`sip handler for ${inc.method} threw: ${String(e)}`);
          inc.respond(500);
        }
      });
  }

  /**
   * The UAS checks of §8.2.2.1 and §8.2.3 before a request reaches a handler: an unknown
   * Request-URI scheme gets 416, an unsupported Require option tag 420 (with Unsupported), and a
   * session body we cannot read 415 (with Accept).
   */
  private uasChecks(req: SipRequest): SipResponse | undefined {
    const toTag = newTag();
    if (!["sip", "sips", "tel"].includes(req.uri.scheme)) return createResponse(req, 416, { toTag });
    const required = req.headers.getAll("Require").map((t) => t.toLowerCase());
    const unsupported = required.filter((t) => !SUPPORTED_OPTIONS.includes(t));
    if (unsupported.length > 0) {
      return createResponse(req, 420, { toTag, headers: [["Unsupported", unsupported.join(", ")]] });
    }
    const se = req.headers.get("Session-Expires");
    if ((req.method === "INVITE" || req.method === "UPDATE") && se !== undefined) {
      // RFC 4028 §8.1: an interval below our minimum (and below the 90 s floor) is refused with 422
      // and a Min-SE the UAC can retry with.
      const n = Number.parseInt(se, 10);
      if (!(n >= MIN_SE)) return createResponse(req, 422, { toTag, headers: [["Min-SE", String(MIN_SE)]] });
    }
    if ((req.method === "INVITE" || req.method === "UPDATE") && req.body.length > 0) {
      const type = (req.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (!["application/sdp", "multipart/mixed", "multipart/alternative"].includes(type)) {
        return createResponse(req, 415, { toTag, headers: [["Accept", "application/sdp"]] });
      }
    }
    return undefined;
  }

  private restOfViaLine(value: string): string {
    // The first Via line may carry several comma-separated values; keep all but the first.
    let depth = 0;
    let inQuote = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (inQuote) {
        if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === "[") depth++;
      else if (c === "]") depth--;
      else if (c === "," && depth === 0) return `, ${value.slice(i + 1).trim()}`;
    }
    return "";
  }

  /** @internal INVITE server transactions awaiting a final answer, for CANCEL. */
  readonly pendingInvites = new Map<InviteServerTransaction, IncomingRequest>();

  private trackInvite(tx: InviteServerTransaction, inc: IncomingRequest): void {
    this.pendingInvites.set(tx, inc);
  }

  private allow(): string {
    const m = new Set([
      "INVITE",
      "ACK",
      "CANCEL",
      "BYE",
      "OPTIONS",
      "INFO",
      "UPDATE",
      "REFER",
      "NOTIFY",
      ...this.handlers.keys(),
    ]);
    m.delete("*");
    return [...m].join(", ");
  }

  private receiveResponse(res: SipResponse): void {
    // §18.1.2: responses whose top Via does not name us are discarded.
    const tx = this.transactions.matchClient(res);
    if (tx) {
      tx.receiveResponse(res);
      return;
    }
    // A 2xx to INVITE after the client transaction is gone: the dialog re-sends its ACK (§13.2.2.4).
    if (res.status >= 200 && res.status < 300 && res.cseq.method === "INVITE")
      this.findDialog(res)?.receive2xxRetransmission(res);
  }

  // ---------------------------------------------------------------- sending

  private sendRaw(data: Buffer, dest: Endpoint): boolean {
    const t = this.transportFor(dest.protocol);
    return t ? t.send(data, dest) : false;
  }

  /**
   * §18.2.2: over a reliable transport the response goes back over the connection the request came
   * on; over UDP to the source address ("received"), and to the source port when "rport" was asked
   * for (RFC 3581 §4), else to the sent-by port.
   */
  private sendResponse(m: SipMessage, source: Endpoint): void {
    if (m.kind !== "response") return;
    let dest = source;
    let via: Via | undefined;
    try {
      via = m.topVia;
    } catch {
      via = undefined;
    }
    if (source.protocol === "udp") {
      if (via && !via.params.has("rport")) dest = { ...source, port: via.port ?? 5060 };
    } else if ((source.protocol === "tcp" || source.protocol === "tls") && via && !via.params.has("rport")) {
      // §18.2.2: "If the connection is no longer open, the server SHOULD open a connection to the IP
      // address in the received parameter, using the port in the sent-by value". The adapter uses
      // the connection while it lives and falls back to this address and port.
      dest = { ...source, port: via.port ?? (source.protocol === "tls" ? 5061 : 5060) };
    }
    this.sendRaw(serializeMessage(m), dest);
  }

  private sendStateless(res: SipResponse, source: Endpoint): void {
    this.sendResponse(res, source);
  }

  /** @internal Adds Server and, on dialog-creating answers, Contact. */
  decorateResponse(res: SipResponse, inc: IncomingRequest): void {
    if (!res.headers.has("Server")) res.headers.append("Server", this.userAgent);
    const creates =
      inc.request.method === "INVITE" || inc.request.method === "SUBSCRIBE" || inc.request.method === "REFER";
    if (creates && res.status > 100 && res.status < 300 && !res.headers.has("Contact")) {
      res.headers.append("Contact", this.contactFor(inc.source.protocol));
    }
  }

  /** Pick the transport and destination for a request (§8.1.2, §18.1.1). */
  resolve(req: SipRequest, destination?: Endpoint): { transport: Transport; dest: Endpoint } {
    let dest = destination;
    if (!dest) {
      const route = req.headers.getAll("Route")[0];
      let target = req.uri;
      if (route !== undefined) {
        const r = parseNameAddr(route);
        // §16.12 loose routing: with ";lr" the request goes to the first Route, else to the Request-URI
        // (strict routing is not supported: our requests always use lr).
        if (r.uri.params.has("lr")) target = r.uri;
      }
      dest = destinationFor(target, this.transports[0]?.protocol ?? "udp");
    }
    const transport = this.transportFor(dest.protocol);
    if (!transport) throw new SipStackError("SIP_ERR_NO_TRANSPORT", `no ${dest.protocol} transport`);
    return { transport, dest };
  }

  /** Fill Via (with a fresh branch and rport), Max-Forwards, User-Agent; serialise; send via a client transaction. */
  private prepareVia(req: SipRequest, transport: Transport, branch = newBranch()): void {
    req.headers.remove("Via");
    const proto = transport.protocol.toUpperCase();
    req.headers.prepend(
      "Via",
      `SIP/2.0/${proto} ${this.hostFor(transport)}:${transport.local.port};branch=${branch};rport`,
    );
    if (!req.headers.has("Max-Forwards")) req.headers.append("Max-Forwards", "70");
    if (!req.headers.has("User-Agent")) req.headers.append("User-Agent", this.userAgent);
  }

  /** Build a new out-of-dialog request (§8.1.1). */
  createRequest(method: string, uri: string | SipUri, o: NewRequestOptions): SipRequest {
    const target = typeof uri === "string" ? parseUri(uri) : uri;
    const h = new SipHeaders();
    const from = parseNameAddr(o.from);
    if (!from.params.has("tag")) from.params.set("tag", newTag());
    h.append("From", serializeNameAddr(from));
    h.append("To", o.to ?? `<${serializeUri(target)}>`);
    h.append("Call-ID", o.callId ?? newCallId());
    h.append("CSeq", `${o.cseq ?? 1} ${method}`);
    h.append("Max-Forwards", "70");
    for (const [n, v] of o.headers ?? []) h.append(n, v);
    const body =
      o.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    if (body.length > 0 && !h.has("Content-Type"))
      h.append("Content-Type", o.contentType ?? "application/sdp");
    return new SipRequest(method, target, h, body);
  }

  /**
   * Send a non-INVITE request (or an INVITE whose dialog the caller manages) in a new client
   * transaction; resolves with the final response. A timeout resolves with a local 408 and a
   * transport failure with a local 503 (§8.1.3.1). With credentials, one 401/407 is answered.
   */
  request(req: SipRequest, o: SendOptions = {}): Promise<SipResponse> {
    if (this.closing) return Promise.reject(new SipStackError("SIP_ERR_CLOSED", "stack closed"));
    return new Promise<SipResponse>((resolve) => {
      this.sendInTransaction(req, o, (res) => {
        if ((res.status === 401 || res.status === 407) && o.credentials && authorize) {
          const value = authorize(req, res, o.credentials);
          if (value !== undefined) {
            const retry = new SipRequest(req.method, req.uri, req.headers.clone(), req.body);
            retry.headers.remove("Authorization").remove("Proxy-Authorization");
            retry.headers.append(res.status === 401 ? "Authorization" : "Proxy-Authorization", value);
            retry.headers.set("CSeq", `${req.cseq.seq + 1} ${req.method}`);
            this.sendInTransaction(retry, o, resolve);
            return;
          }
        }
        resolve(res);
      });
    });
  }

  /** @internal */
  sendInTransaction(
    req: SipRequest,
    o: SendOptions,
    done: (res: SipResponse) => void,
  ): ClientTransaction | undefined {
    let resolved: { transport: Transport; dest: Endpoint };
    try {
      resolved = this.resolve(req, o.destination);
    } catch {
      done(createResponse(req, 503, { reason: "No Transport" }));
      return undefined;
    }
    const { transport, dest } = resolved;
    this.prepareVia(req, transport, o.branch);
    let finished = false;
    const finish = (res: SipResponse) => {
      if (!finished) {
        finished = true;
        done(res);
      }
    };
    // Client transactions by destination, so a failed connection can fail them at once.
    const destKey = `${dest.protocol}|${dest.address}|${dest.port}`;
    const sink = {
      reliable: transport.reliable,
      send: (m: SipMessage) => {
        if (!transport.send(serializeMessage(m), dest)) queueMicrotask(() => tx.transportError());
      },
      onTerminated: () => {
        const set = this.inFlight.get(destKey);
        set?.delete(tx);
        if (set?.size === 0) this.inFlight.delete(destKey);
      },
    };
    let set = this.inFlight.get(destKey);
    if (!set) {
      set = new Set();
      this.inFlight.set(destKey, set);
    }
    const inFlight = set;
    const tx: ClientTransaction = this.transactions.createClient(req, sink, {
      onResponse: (res) => {
        if (res.status < 200) o.onProvisional?.(res);
        else if (req.method === "INVITE" && res.status < 300 && finished) {
          // A retransmitted 2xx: the dialog re-ACKs it. A 2xx from another fork (new To tag) gets
          // its own dialog, ACK and an immediate BYE: we keep only the first answer (§13.2.2.4).
          const d = this.findDialog(res);
          if (d) d.receive2xxRetransmission(res);
          else if (res.toTag !== undefined) void this.createUacDialog(req, res, {}).bye();
        } else finish(res);
      },
      onTimeout: () => finish(createResponse(req, 408, { reason: "Request Timeout" })),
      onTransportError: () => finish(createResponse(req, 503, { reason: "Transport Error" })),
    });
    if (tx.state !== "terminated") inFlight.add(tx);
    else if (inFlight.size === 0) this.inFlight.delete(destKey);
    return tx;
  }

  /**
   * Send an INVITE (§13.2). `dialog` resolves with the confirmed dialog on 2xx (after our ACK),
   * or rejects with a SipError carrying the final non-2xx status.
   */
  invite(uri: string | SipUri, o: NewRequestOptions & SendOptions & DialogOptions): OutgoingInvite {
    const req = this.createRequest("INVITE", uri, o);
    if (o.sessionExpires !== undefined && !req.headers.has("Session-Expires")) {
      // RFC 4028 §7.1: ask for the interval and offer to refresh it ourselves.
      req.headers.append("Session-Expires", `${o.sessionExpires};refresher=uac`);
      req.headers.append("Supported", "timer");
    }
    const { transport } = this.resolve(req, o.destination);
    if (!req.headers.has("Contact")) req.headers.append("Contact", this.contactFor(transport.protocol));
    let provisional = false;
    let cancelWanted: string | undefined | null = null;
    let finalSeen = false;
    let tx: ClientTransaction | undefined;
    let cancelSent = false;
    const sendCancel = (reason?: string) => {
      if (!tx || finalSeen || cancelSent) return;
      cancelSent = true;
      const cancel = buildCancel(tx.request, reason);
      const branch = tx.request.topVia?.params.get("branch") ?? newBranch();
      const dest = this.resolve(tx.request, o.destination);
      // §9.1: the CANCEL's top Via equals the INVITE's (same branch) and it follows the same path.
      this.sendInTransaction(cancel, { destination: dest.dest, branch }, () => {});
    };
    const dialog = new Promise<Dialog>((resolve, reject) => {
      const onFinal = (res: SipResponse, sent: SipRequest) => {
        finalSeen = true;
        if (res.status >= 200 && res.status < 300) {
          const d = this.createUacDialog(sent, res, o);
          if (cancelWanted !== null) {
            // The 2xx crossed our CANCEL (§9.1): the call is up at the far end, so end it with BYE.
            void d.bye();
            reject(new SipError(487, "Request Terminated"));
          } else resolve(d);
        } else reject(new SipError(res.status, res.reason));
      };
      const attempt = (r: SipRequest, authTried: boolean) => {
        tx = this.sendInTransaction(
          r,
          {
            ...o,
            onProvisional: (p) => {
              provisional = true;
              o.onProvisional?.(p);
              // §9.1: "a CANCEL ... SHOULD NOT be sent" before a provisional response arrives.
              if (cancelWanted !== null) sendCancel(cancelWanted);
            },
          },
          (res) => {
            if ((res.status === 401 || res.status === 407) && o.credentials && authorize && !authTried) {
              const value = authorize(r, res, o.credentials);
              if (value !== undefined) {
                const retry = new SipRequest(r.method, r.uri, r.headers.clone(), r.body);
                retry.headers.remove("Authorization").remove("Proxy-Authorization");
                retry.headers.append(res.status === 401 ? "Authorization" : "Proxy-Authorization", value);
                retry.headers.set("CSeq", `${r.cseq.seq + 1} INVITE`);
                attempt(retry, true);
                return;
              }
            }
            onFinal(res, r);
          },
        );
      };
      attempt(req, false);
    });
    return {
      request: req,
      dialog,
      cancel: (reason?: string) => {
        if (finalSeen) return;
        cancelWanted = reason;
        if (provisional) sendCancel(reason);
      },
    };
  }

  // ---------------------------------------------------------------- dialogs

  private dialogKey(callId: string, localTag: string, remoteTag: string): string {
    return `${callId}|${localTag}|${remoteTag}`;
  }

  /** The dialog a request (To tag = ours) or response (From tag = ours) belongs to (§12.2). */
  findDialog(msg: SipMessage): Dialog | undefined {
    const local = msg.kind === "request" ? msg.toTag : msg.fromTag;
    const remote = msg.kind === "request" ? msg.fromTag : msg.toTag;
    if (local === undefined || remote === undefined) return undefined;
    return this.dialogs.get(this.dialogKey(msg.callId, local, remote));
  }

  /** RFC 3891 §3: find the dialog a Replaces header names. */
  findDialogByReplaces(value: string): Dialog | undefined {
    const parts = value.split(";").map((s) => s.trim());
    const callId = parts[0] ?? "";
    let toTag = "";
    let fromTag = "";
    for (const p of parts.slice(1)) {
      const [k, v] = p.split("=");
      if (k?.toLowerCase() === "to-tag") toTag = v ?? "";
      if (k?.toLowerCase() === "from-tag") fromTag = v ?? "";
    }
    // "to-tag" is the tag of the recipient of the Replaces (ours), "from-tag" the other side's.
    return this.dialogs.get(this.dialogKey(callId, toTag, fromTag));
  }

  get dialogCount(): number {
    return this.dialogs.size;
  }

  /** @internal */
  registerDialog(d: Dialog): void {
    this.dialogs.set(this.dialogKey(d.callId, d.localTag, d.remoteTag), d);
    d.once("terminated", () => this.dialogs.delete(this.dialogKey(d.callId, d.localTag, d.remoteTag)));
  }

  /** @internal */
  createUasDialog(inc: IncomingRequest, res: SipResponse): Dialog {
    const req = inc.request;
    const d = new Dialog(this, {
      role: "uas",
      callId: req.callId,
      localTag: inc.toTag,
      remoteTag: req.fromTag ?? "",
      localUri: res.headers.get("To") ?? "",
      remoteUri: req.headers.get("From") ?? "",
      remoteTarget: req.contacts[0]?.uri ?? req.from.uri,
      // §12.1.1: "The route set MUST be set to the list of URIs in the Record-Route header field
      // from the request, taken in order".
      routeSet: req.headers.getAll("Record-Route"),
      localSeq: 0,
      remoteSeq: req.cseq.seq,
      flow: inc.source,
      invite: req,
    });
    this.registerDialog(d);
    return d;
  }

  /** @internal */
  createUacDialog(req: SipRequest, res: SipResponse, o: DialogOptions & SendOptions): Dialog {
    const d = new Dialog(
      this,
      {
        role: "uac",
        callId: req.callId,
        localTag: req.fromTag ?? "",
        remoteTag: res.toTag ?? "",
        localUri: req.headers.get("From") ?? "",
        remoteUri: res.headers.get("To") ?? "",
        remoteTarget: res.contacts[0]?.uri ?? req.uri,
        // §12.1.2: "the route set MUST be set to the list of URIs in the Record-Route header field
        // from the response, taken in reverse order".
        routeSet: res.headers.getAll("Record-Route").reverse(),
        localSeq: req.cseq.seq,
        remoteSeq: undefined,
        flow: o.destination,
        invite: req,
      },
      o,
    );
    if (res.body.length > 0) d.remoteBody = res.body;
    this.registerDialog(d);
    d.sendAck(res);
    return d;
  }

  /** @internal in-dialog request through a fresh client transaction, to the dialog's target. */
  sendInDialog(req: SipRequest, flow: Endpoint | undefined, done: (res: SipResponse) => void): void {
    this.sendInTransaction(req, { destination: flow }, done);
  }

  /** @internal ACK for 2xx: sent directly, not in a transaction (§13.2.2.4, §17.1.1.3). */
  sendAckDirect(ack: SipRequest, flow: Endpoint | undefined): void {
    try {
      const { transport, dest } = this.resolve(ack, flow);
      if (!ack.headers.has("Via")) this.prepareVia(ack, transport);
      transport.send(serializeMessage(ack), dest);
    } catch {
      // No route: the peer will retransmit its 2xx and time out.
    }
  }

  /** Schedule on the stack clock (dialogs use it for 2xx retransmission and session timers). */
  setTimer(ms: number, fn: () => void): TimerId {
    return this.clock.setTimer(ms, fn);
  }

  clearTimer(id: TimerId): void {
    this.clock.clearTimer(id);
  }

  /** Idempotent: ends dialogs and transactions, closes transports. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const d of [...this.dialogs.values()]) d.terminate("closed");
      this.transactions.close();
      this.pendingInvites.clear();
      this.merged.clear();
      await Promise.all(this.transports.map((t) => t.close()));
    })();
    return this.closing;
  }
}

export { InviteClientTransaction, MAGIC_COOKIE, REASONS };
