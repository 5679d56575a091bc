/**
 * A dialog (RFC 3261 §12) as seen by a UA or a B2BUA leg: in-dialog requests with their CSeq and
 * route set, re-INVITE / UPDATE (§14, RFC 3311), INFO (RFC 6086), REFER / NOTIFY (RFC 3515),
 * Replaces (RFC 3891), BYE (§15), INVITE glare (§14.1, 491) and session timers (RFC 4028).
 */
import type { TimerId } from "./clock.js";
import { SipError, SipStackError } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { parseNameAddr, type SipUri, serializeUri } from "./grammar.js";
import { SipHeaders, SipRequest, type SipResponse } from "./message.js";
import type { IncomingRequest, SipStack } from "./stack.js";
import type { InviteServerTransaction } from "./transaction/invite-server.js";
import type { Endpoint } from "./transport/types.js";

export interface DialogOptions {
  /** RFC 4028: ask for this session interval (seconds) on our INVITE; we refresh it as UAC. */
  sessionExpires?: number;
}

export interface DialogInit {
  role: "uac" | "uas";
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (uac) / To (uas) as sent, tag included. */
  localUri: string;
  remoteUri: string;
  remoteTarget: SipUri;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  /** The connection the dialog runs over, when connection-oriented (browser over WS). */
  flow: Endpoint | undefined;
  invite: SipRequest;
}

export type DialogEvents = {
  /** An in-dialog request other than BYE / ACK; answer it through `inc.respond`. */
  request: [inc: IncomingRequest];
  /** A re-INVITE (session modification); answer with `inc.accept({ body })` or `inc.respond(488)`. */
  reinvite: [inc: IncomingRequest];
  /** The ACK for our 2xx arrived. */
  ack: [ack: SipRequest];
  /** The dialog ended: "bye" (remote BYE), "local-bye", "no-ack", "session-expired", "closed", "transport". */
  terminated: [reason: string];
};

export interface InDialogOptions {
  body?: Buffer | string;
  contentType?: string;
  headers?: Iterable<readonly [string, string]>;
}

export class Dialog extends TypedEmitter<DialogEvents> {
  readonly role: "uac" | "uas";
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: SipUri;
  readonly routeSet: readonly string[];
  localSeq: number;
  remoteSeq: number | undefined;
  state: "confirmed" | "terminated" = "confirmed";
  /** The INVITE that created the dialog. */
  readonly invite: SipRequest;
  /** Body (SDP) we last sent in an offer or answer. */
  localBody: Buffer | undefined;
  remoteBody: Buffer | undefined;
  private readonly flowEndpoint: Endpoint | undefined;
  private lastAck: SipRequest | undefined;
  private inviteOut = false;
  private inviteIn = false;
  private retransmit: TimerId | undefined;
  private sessionTimer: TimerId | undefined;
  private sessionInterval = 0;
  private weRefresh = false;
  private pendingAck: { resolve: (d: Dialog) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly stack: SipStack,
    init: DialogInit,
    opts: DialogOptions = {},
  ) {
    super();
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.flowEndpoint = init.flow;
    this.invite = init.invite;
    if (init.role === "uac" && opts.sessionExpires !== undefined) this.sessionInterval = opts.sessionExpires;
    if (init.invite.body.length > 0) {
      if (init.role === "uac") this.localBody = init.invite.body;
      else this.remoteBody = init.invite.body;
    }
  }

  /**
   * Where in-dialog requests go. Without a route set: back down the flow the dialog was made on (the
   * browser's WebSocket, a phone's NAT binding), where §12.2.1.1 alone would use the remote target's
   * host, unreachable behind NAT. With a route set: its first hop (undefined here), as §12.2.1.1 says.
   */
  private get flow(): Endpoint | undefined {
    return this.routeSet.length === 0 ? this.flowEndpoint : undefined;
  }

  /** Dialog id (§12): Call-ID, local tag, remote tag. */
  get id(): string {
    return `${this.callId};local=${this.localTag};remote=${this.remoteTag}`;
  }

  /** Replaces header value naming this dialog for the *other* side (RFC 3891 §6.1). */
  get replacesValue(): string {
    return `${this.callId};to-tag=${this.remoteTag};from-tag=${this.localTag}`;
  }

  // ------------------------------------------------------------ building requests

  /** §12.2.1.1: Request-URI = remote target, Route = route set, CSeq = local seq + 1. */
  createRequest(method: string, o: InDialogOptions = {}): SipRequest {
    if (this.state === "terminated") throw new SipStackError("SIP_ERR_BAD_STATE", "dialog terminated");
    const h = new SipHeaders();
    h.append("From", this.localUri);
    h.append("To", this.remoteUri);
    h.append("Call-ID", this.callId);
    const seq = method === "ACK" ? this.invite.cseq.seq : ++this.localSeq;
    h.append("CSeq", `${seq} ${method}`);
    h.append("Max-Forwards", "70");
    for (const r of this.routeSet) h.append("Route", r);
    // Target-refresh requests carry our Contact (§12.2.1.1, RFC 3311 §5.1).
    if (
      method === "INVITE" ||
      method === "UPDATE" ||
      method === "REFER" ||
      method === "SUBSCRIBE" ||
      method === "NOTIFY"
    ) {
      h.append("Contact", this.stack.contactFor(this.flowEndpoint?.protocol ?? "udp"));
    }
    for (const [n, v] of o.headers ?? []) h.append(n, v);
    const body =
      o.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    if (body.length > 0 && !h.has("Content-Type"))
      h.append("Content-Type", o.contentType ?? "application/sdp");
    return new SipRequest(method, this.remoteTarget, h, body);
  }

  /** Send a non-INVITE in-dialog request; resolves with the final response. */
  request(method: string, o: InDialogOptions = {}): Promise<SipResponse> {
    if (method === "INVITE" || method === "ACK" || method === "CANCEL") {
      return Promise.reject(
        new SipStackError("SIP_ERR_BAD_STATE", `use modify() / internal paths for ${method}`),
      );
    }
    let req: SipRequest;
    try {
      req = this.createRequest(method, o);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve) => {
      this.stack.sendInDialog(req, this.flow, (res) => {
        // §12.2.1.2: "If the response for a request within a dialog is a 481 or a 408, the UAC
        // SHOULD terminate the dialog."
        if ((res.status === 481 || res.status === 408) && method !== "BYE") this.terminate("transport");
        resolve(res);
      });
    });
  }

  /** INFO (RFC 6086), e.g. application/dtmf-relay from phones. */
  info(body: string, contentType: string): Promise<SipResponse> {
    return this.request("INFO", { body, contentType });
  }

  /**
   * REFER (RFC 3515): ask the peer to call `target`. With `replaces`, the target URI carries a
   * Replaces header naming that dialog (RFC 3891 §6.1, attended transfer).
   */
  refer(target: string, o: { replaces?: Dialog; referredBy?: string } = {}): Promise<SipResponse> {
    let uri = target.startsWith("<") ? target.slice(1, -1) : target;
    if (o.replaces) uri += `?Replaces=${encodeURIComponent(o.replaces.replacesValue)}`;
    const headers: Array<[string, string]> = [["Refer-To", `<${uri}>`]];
    if (o.referredBy !== undefined) headers.push(["Referred-By", o.referredBy]);
    return this.request("REFER", { headers });
  }

  /** NOTIFY for the implicit REFER subscription (RFC 3515 §2.4.4): a sipfrag of the progress. */
  notifyRefer(statusLine: string, terminated: boolean): Promise<SipResponse> {
    return this.request("NOTIFY", {
      headers: [
        ["Event", "refer"],
        ["Subscription-State", terminated ? "terminated;reason=noresource" : "active;expires=60"],
      ],
      body: `${statusLine}\r\n`,
      contentType: "message/sipfrag;version=2.0",
    });
  }

  /**
   * re-INVITE with a new offer (§14.1): hold, codec change, session refresh. Resolves with the
   * final response (after ACK on 2xx). A 491 (glare) is retried once after the §14.1 delay.
   */
  async modify(
    body: Buffer | string,
    contentType = "application/sdp",
    retried = false,
  ): Promise<SipResponse> {
    // §14.1: "a UAC MUST NOT initiate a new INVITE transaction within a dialog while another INVITE
    // transaction is in progress in either direction."
    if (this.inviteOut || this.inviteIn)
      throw new SipStackError("SIP_ERR_BAD_STATE", "an INVITE is in progress");
    const req = this.createRequest("INVITE", { body, contentType, headers: this.sessionHeaders() });
    this.inviteOut = true;
    const res = await new Promise<SipResponse>((resolve) => this.stack.sendInDialog(req, this.flow, resolve));
    this.inviteOut = false;
    if (res.status >= 200 && res.status < 300) {
      this.localBody = req.body;
      if (res.body.length > 0) this.remoteBody = res.body;
      const c = res.contacts[0];
      if (c) this.remoteTarget = c.uri;
      this.sendAck(res, req);
      this.armSessionTimer(res, true);
      return res;
    }
    if (res.status === 491 && !retried) {
      // §14.1: "If the UAC ... is the owner of the Call-ID ... T has a randomly chosen value between
      // 2.1 and 4 seconds ... If the UAC is not the owner ... between 0 and 2 seconds."
      const owner = this.role === "uac";
      const wait = owner ? 2100 + Math.random() * 1900 : Math.random() * 2000;
      await new Promise<void>((r) => this.stack.setTimer(wait, r));
      return this.modify(body, contentType, true);
    }
    if (res.status === 481 || res.status === 408) this.terminate("transport");
    return res;
  }

  /** UPDATE (RFC 3311): a session refresh or offer without a re-INVITE's three-way handshake. */
  update(o: InDialogOptions = {}): Promise<SipResponse> {
    return this.request("UPDATE", { ...o, headers: [...(o.headers ?? []), ...this.sessionHeaders()] });
  }

  /** End the call: BYE (§15.1.1); the dialog ends whatever the answer. */
  async bye(headers?: Iterable<readonly [string, string]>): Promise<SipResponse | undefined> {
    if (this.state === "terminated") return undefined;
    const res = this.request("BYE", { headers });
    this.terminate("local-bye");
    return res;
  }

  /** End locally without signalling (idempotent). */
  terminate(reason: string): void {
    if (this.state === "terminated") return;
    this.state = "terminated";
    this.clearTimers();
    if (this.pendingAck) {
      this.pendingAck.reject(new SipError(408, "No ACK"));
      this.pendingAck = undefined;
    }
    this.emit("terminated", reason);
    this.removeAllListeners();
  }

  private clearTimers(): void {
    if (this.retransmit !== undefined) this.stack.clearTimer(this.retransmit);
    if (this.sessionTimer !== undefined) this.stack.clearTimer(this.sessionTimer);
    this.retransmit = undefined;
    this.sessionTimer = undefined;
  }

  // ------------------------------------------------------------ ACK handling

  /** §13.2.2.4: the UAC's ACK for a 2xx: new branch, CSeq number of the INVITE, route set. */
  sendAck(res: SipResponse, invite: SipRequest = this.invite): void {
    const h = new SipHeaders();
    h.append("From", this.localUri);
    h.append("To", this.remoteUri);
    h.append("Call-ID", this.callId);
    h.append("CSeq", `${invite.cseq.seq} ACK`);
    h.append("Max-Forwards", "70");
    for (const r of this.routeSet) h.append("Route", r);
    const ack = new SipRequest("ACK", this.remoteTarget, h);
    this.lastAck = ack;
    this.stack.sendAckDirect(ack, this.flow);
    if (invite === this.invite) this.armSessionTimer(res);
  }

  /** @internal A 2xx arrived again: "the UAC core ... MUST ... pass the ACK to the transport again". */
  receive2xxRetransmission(res: SipResponse): void {
    if (this.lastAck && res.cseq.seq === this.lastAck.cseq.seq)
      this.stack.sendAckDirect(this.lastAck, this.flow);
  }

  /**
   * @internal UAS: retransmit the 2xx "with an interval that starts at T1 seconds and doubles for
   * each retransmission until it reaches T2 seconds" until the ACK; after 64*T1 without one, "the
   * UAS core ... SHOULD terminate the dialog" with BYE (§13.3.1.4).
   */
  waitForAck(res: SipResponse, tx: InviteServerTransaction): Promise<Dialog> {
    this.localBody = res.body.length > 0 ? res.body : this.localBody;
    this.inviteIn = true;
    const { T1, T2 } = this.stack.transactions.timers;
    const started = this.stack.clock.now();
    const resend = (interval: number) => {
      this.retransmit = this.stack.setTimer(interval, () => {
        this.retransmit = undefined;
        if (this.state === "terminated") return;
        if (this.stack.clock.now() - started >= 64 * T1) {
          this.inviteIn = false;
          void this.bye();
          return;
        }
        tx.respond(res);
        resend(Math.min(2 * interval, T2));
      });
    };
    resend(T1);
    return new Promise<Dialog>((resolve, reject) => {
      this.pendingAck = { resolve, reject };
    });
  }

  /** @internal */
  receiveAck(ack: SipRequest): void {
    if (this.retransmit !== undefined) {
      this.stack.clearTimer(this.retransmit);
      this.retransmit = undefined;
    }
    this.inviteIn = false;
    if (ack.body.length > 0) this.remoteBody = ack.body;
    const p = this.pendingAck;
    this.pendingAck = undefined;
    p?.resolve(this);
    this.emit("ack", ack);
  }

  // ------------------------------------------------------------ incoming

  /** @internal In-dialog request (the stack found us by Call-ID and tags). */
  receiveRequest(inc: IncomingRequest): void {
    const req = inc.request;
    const seq = req.cseq.seq;
    // §12.2.2: "If the remote sequence number was not empty, but the sequence number of the request
    // is lower than the remote sequence number, the request is out of order and MUST be rejected
    // with a 500 (Server Internal Error) response."
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
      inc.respond(500, { reason: "Out of Order" });
      return;
    }
    this.remoteSeq = seq;
    if (this.state === "terminated") {
      inc.respond(481);
      return;
    }
    switch (req.method) {
      case "BYE":
        // §15.1.2: "the UAS MUST ... terminate the session ... and generate a 2xx response".
        inc.respond(200);
        this.terminate("bye");
        return;
      case "INVITE": {
        // §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that
        // dialog is in progress MUST return a 491 (Request Pending)"; "a second INVITE before it
        // sends the final response to a first INVITE with a lower CSeq ... MUST return a 500 ...
        // with a Retry-After header field with a randomly chosen value of between 0 and 10 seconds."
        if (this.inviteOut) {
          inc.respond(491);
          return;
        }
        if (this.inviteIn) {
          inc.respond(500, { headers: [["Retry-After", String(Math.floor(Math.random() * 10))]] });
          return;
        }
        this.inviteIn = true;
        const c = req.contacts[0];
        if (c) this.remoteTarget = c.uri;
        if (req.body.length > 0) this.remoteBody = req.body;
        this.noteRefresh(req);
        if (!this.emit("reinvite", inc)) {
          void inc.accept({ body: this.localBody }).catch(() => {});
        }
        return;
      }
      case "UPDATE":
        this.noteRefresh(req);
        if (!this.emit("request", inc)) inc.respond(200, { headers: this.sessionHeaders(true) });
        return;
      default:
        if (!this.emit("request", inc)) {
          if (req.method === "INFO" || req.method === "NOTIFY" || req.method === "OPTIONS") inc.respond(200);
          else if (req.method === "REFER") inc.respond(603);
          else inc.respond(501);
        }
    }
  }

  /** @internal The peer's re-INVITE got a non-2xx final: no INVITE in progress any more. */
  reinviteRejected(): void {
    this.inviteIn = false;
  }

  /** @internal 2xx to a re-INVITE from the peer (same dialog, so no new Dialog is made). */
  acceptReinvite(res: SipResponse, tx: InviteServerTransaction): Promise<Dialog> {
    for (const [n, v] of this.sessionHeaders(true)) if (!res.headers.has(n)) res.headers.append(n, v);
    tx.respond(res);
    return this.waitForAck(res, tx);
  }

  // ------------------------------------------------------------ session timers (RFC 4028)

  /** Session-Expires for a message we send, as UAC of the transaction (request) or its UAS (answer). */
  private sessionHeaders(asUas = false): Array<[string, string]> {
    if (this.sessionInterval <= 0) return [];
    const refresher = this.weRefresh !== asUas ? "uac" : "uas";
    return [["Session-Expires", `${this.sessionInterval};refresher=${refresher}`]];
  }

  /**
   * A refresh (re-INVITE / UPDATE) from the peer. RFC 4028 §7.1: "refresher" names a side of that
   * transaction — "uac" is the peer who sent it, "uas" is us.
   */
  private noteRefresh(req: SipRequest): void {
    const se = req.headers.get("Session-Expires");
    if (se !== undefined) {
      const n = Number.parseInt(se, 10);
      if (n > 0) this.sessionInterval = n;
      this.weRefresh = /refresher=uas/i.test(se);
    }
    this.restartSessionTimer();
  }

  /**
   * @internal After the INVITE's 2xx: RFC 4028 §9/§10. "The refresher SHOULD send a session refresh
   * request at half the session interval"; the other side, if no refresh arrives, "SHOULD send a BYE
   * ... at the time of session expiration minus the minimum of 32 seconds and one third of the
   * session interval".
   */
  armSessionTimer(res: SipResponse, weSent = this.role === "uac"): void {
    const se =
      res.headers.get("Session-Expires") ?? (weSent ? undefined : this.invite.headers.get("Session-Expires"));
    if (se === undefined) return;
    const n = Number.parseInt(se, 10);
    if (!(n > 0)) return;
    this.sessionInterval = n;
    // "uac" / "uas" name the sides of the transaction this 2xx answered.
    const refresher = /refresher=(uac|uas)/i.exec(se)?.[1]?.toLowerCase() ?? "uac";
    this.weRefresh = weSent ? refresher === "uac" : refresher === "uas";
    this.restartSessionTimer();
  }

  /** @internal UAS side: called when we accept an INVITE that asked for a session timer. */
  setupUasSessionTimer(req: SipRequest): Array<[string, string]> {
    const se = req.headers.get("Session-Expires");
    if (se === undefined) return [];
    const n = Number.parseInt(se, 10);
    if (!(n > 0)) return [];
    this.sessionInterval = n;
    const refresher = /refresher=(uac|uas)/i.exec(se)?.[1]?.toLowerCase() ?? "uac";
    this.weRefresh = refresher === "uas";
    this.restartSessionTimer();
    const h: Array<[string, string]> = [["Session-Expires", `${n};refresher=${refresher}`]];
    if (/\btimer\b/i.test(req.headers.get("Supported") ?? "")) h.push(["Require", "timer"]);
    return h;
  }

  private restartSessionTimer(): void {
    if (this.sessionTimer !== undefined) this.stack.clearTimer(this.sessionTimer);
    this.sessionTimer = undefined;
    if (this.sessionInterval <= 0 || this.state === "terminated") return;
    const ms = this.sessionInterval * 1000;
    if (this.weRefresh) {
      this.sessionTimer = this.stack.setTimer(ms / 2, () => {
        this.sessionTimer = undefined;
        this.update().then(
          (r) => {
            if (r.status >= 200 && r.status < 300) this.restartSessionTimer();
            else if (r.status === 481 || r.status === 408) this.terminate("session-expired");
          },
          () => {
            // The dialog ended meanwhile: nothing to refresh.
          },
        );
      });
    } else {
      this.sessionTimer = this.stack.setTimer(ms - Math.min(32_000, ms / 3), () => {
        this.sessionTimer = undefined;
        void this.request("BYE", { headers: [["Reason", 'SIP;cause=408;text="Session expired"']] });
        this.terminate("session-expired");
      });
    }
  }
}

/** Parse a Refer-To value into the target URI and an embedded Replaces (RFC 3891 §6.1), if any. */
export function parseReferTo(value: string): { uri: string; replaces?: string } {
  const addr = parseNameAddr(value);
  const replaces = addr.uri.headers.get("replaces") ?? addr.uri.headers.get("Replaces");
  const clean = { ...addr.uri, headers: new Map() };
  return replaces
    ? { uri: serializeUri(clean), replaces: decodeURIComponent(replaces) }
    : { uri: serializeUri(clean) };
}
