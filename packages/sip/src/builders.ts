/** Building requests and responses from others (RFC 3261 §8.2.6, §9.1, §17.1.1.3). */
import { randomBytes } from "node:crypto";
import { parseNameAddr, serializeNameAddr } from "./grammar.js";
import { REASONS, SipRequest as Req, SipHeaders, type SipRequest, SipResponse } from "./message.js";

/** §8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST always begin with the characters "z9hG4bK"." */
export const MAGIC_COOKIE = "z9hG4bK";

export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(8).toString("hex");
}

export function newTag(): string {
  return randomBytes(6).toString("hex");
}

export function newCallId(): string {
  return randomBytes(12).toString("hex");
}

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (not added to 100, §8.2.6.2). */
  toTag?: string;
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer | string;
}

/**
 * §8.2.6.2: "the From field of the response MUST equal the From header field of the request. The
 * Call-ID ... MUST equal ... The CSeq ... MUST equal ... The Via header field values in the response
 * MUST equal the Via header field values in the request and MUST maintain the same ordering."
 */
export function createResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.getLines("Via")) h.append("Via", v);
  h.append("From", req.headers.get("From") ?? "");
  let to = req.headers.get("To") ?? "";
  if (status > 100 && opts.toTag !== undefined) {
    try {
      const addr = parseNameAddr(to);
      if (!addr.params.has("tag")) {
        addr.params.set("tag", opts.toTag);
        to = serializeNameAddr(addr);
      }
    } catch {
      // A To we cannot parse is only possible on a 400 for a broken request; echo it as is.
    }
  }
  h.append("To", to);
  h.append("Call-ID", req.headers.get("Call-ID") ?? "");
  h.append("CSeq", req.headers.get("CSeq") ?? "");
  // §8.2.6.1: a 100 (Trying) echoes Timestamp.
  const ts = req.headers.get("Timestamp");
  if (status === 100 && ts !== undefined) h.append("Timestamp", ts);
  if (opts.headers) for (const [n, v] of opts.headers) h.append(n, v);
  const body =
    opts.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(opts.body)
        ? opts.body
        : Buffer.from(opts.body);
  return new SipResponse(status, opts.reason ?? REASONS[status] ?? "Unknown", h, body);
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response: same Request-URI, Call-ID, From, CSeq number and
 * top Via as the INVITE, To from the response, Route from the INVITE.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const h = new SipHeaders();
  const via = invite.headers.get("Via");
  if (via !== undefined) h.append("Via", via.split(",")[0]!.trim());
  h.append("Max-Forwards", "70");
  h.append("From", invite.headers.get("From") ?? "");
  h.append("To", response.headers.get("To") ?? "");
  h.append("Call-ID", invite.callId);
  h.append("CSeq", `${invite.cseq.seq} ACK`);
  for (const r of invite.headers.getLines("Route")) h.append("Route", r);
  return new Req("ACK", invite.uri, h);
}

/** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number, the top Via and Route. */
export function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const h = new SipHeaders();
  const via = invite.headers.get("Via");
  if (via !== undefined) h.append("Via", via.split(",")[0]!.trim());
  h.append("Max-Forwards", "70");
  h.append("From", invite.headers.get("From") ?? "");
  h.append("To", invite.headers.get("To") ?? "");
  h.append("Call-ID", invite.callId);
  h.append("CSeq", `${invite.cseq.seq} CANCEL`);
  for (const r of invite.headers.getLines("Route")) h.append("Route", r);
  if (reason !== undefined) h.append("Reason", reason);
  return new Req("CANCEL", invite.uri, h);
}
