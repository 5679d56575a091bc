/**
 * The message model (RFC 3261 §7): requests and responses with ordered header fields and an opaque
 * body (multipart bodies pass through untouched). Header values are stored unfolded, as strings;
 * structured views (Via, From, CSeq, ...) are parsed on demand by the accessors.
 */
import {
  type CSeq,
  type NameAddr,
  parseCSeq,
  parseNameAddr,
  parseNameAddrList,
  parseViaList,
  type SipUri,
  splitList,
  type Via,
} from "./grammar.js";

/** RFC 3261 §7.3.3 compact forms plus the ones later RFCs registered (3265, 3515, 3892, 4028, 3841). */
const COMPACT: Record<string, string> = {
  i: "Call-ID",
  m: "Contact",
  e: "Content-Encoding",
  l: "Content-Length",
  c: "Content-Type",
  f: "From",
  s: "Subject",
  k: "Supported",
  t: "To",
  v: "Via",
  o: "Event",
  r: "Refer-To",
  b: "Referred-By",
  u: "Allow-Events",
  x: "Session-Expires",
  a: "Accept-Contact",
  j: "Reject-Contact",
  d: "Request-Disposition",
  y: "Identity",
};

const CANONICAL = new Map<string, string>(
  [
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "In-Reply-To",
    "Max-Forwards",
    "Min-Expires",
    "Min-SE",
    "MIME-Version",
    "Organization",
    "Priority",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "RAck",
    "Reason",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Replaces",
    "Reply-To",
    "Require",
    "Retry-After",
    "Route",
    "RSeq",
    "Server",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
  ].map((n) => [n.toLowerCase(), n]),
);

/** Canonical spelling of a header name: compact forms expanded, known names in RFC case. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? CANONICAL.get(lower) ?? name;
}

export interface SipHeader {
  name: string;
  value: string;
}

/** Ordered header fields; names are canonical (see `canonicalName`), lookups are case-insensitive. */
export class SipHeaders {
  readonly list: SipHeader[] = [];

  constructor(init?: Iterable<readonly [string, string]>) {
    if (init) for (const [n, v] of init) this.append(n, v);
  }

  get(name: string): string | undefined {
    const n = canonicalName(name);
    for (const h of this.list) if (h.name === n) return h.value;
    return undefined;
  }

  /** Every field line of that name (not split at commas). */
  getLines(name: string): string[] {
    const n = canonicalName(name);
    const out: string[] = [];
    for (const h of this.list) if (h.name === n) out.push(h.value);
    return out;
  }

  /** All values, comma lists split (§7.3.1: a list may be split over several lines or joined). */
  getAll(name: string): string[] {
    return this.getLines(name).flatMap(splitList);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  append(name: string, value: string): this {
    this.list.push({ name: canonicalName(name), value });
    return this;
  }

  prepend(name: string, value: string): this {
    this.list.unshift({ name: canonicalName(name), value });
    return this;
  }

  /** Replace every line of that name by one (appended where the first one stood, or at the end). */
  set(name: string, value: string): this {
    const n = canonicalName(name);
    const at = this.list.findIndex((h) => h.name === n);
    this.remove(n);
    if (at < 0) this.list.push({ name: n, value });
    else this.list.splice(at, 0, { name: n, value });
    return this;
  }

  remove(name: string): this {
    const n = canonicalName(name);
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.name === n) this.list.splice(i, 1);
    return this;
  }

  /** Remove the first line of that name (used to pop the top Via on a single-Via line). */
  removeFirst(name: string): void {
    const n = canonicalName(name);
    const i = this.list.findIndex((h) => h.name === n);
    if (i >= 0) this.list.splice(i, 1);
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    for (const x of this.list) h.list.push({ name: x.name, value: x.value });
    return h;
  }
}

abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;

  constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  get callId(): string {
    return this.headers.get("Call-ID") ?? "";
  }

  get cseq(): CSeq {
    return parseCSeq(this.headers.get("CSeq") ?? "");
  }

  get from(): NameAddr {
    return parseNameAddr(this.headers.get("From") ?? "");
  }

  get to(): NameAddr {
    return parseNameAddr(this.headers.get("To") ?? "");
  }

  /** Every Via value, topmost first. */
  get vias(): Via[] {
    return this.headers.getLines("Via").flatMap(parseViaList);
  }

  get topVia(): Via | undefined {
    const first = this.headers.get("Via");
    return first === undefined ? undefined : parseViaList(first)[0];
  }

  get contacts(): NameAddr[] {
    return this.headers.getLines("Contact").flatMap(parseNameAddrList);
  }

  /** Route-like lists (Route, Record-Route, Path) as name-addrs. */
  addrList(name: string): NameAddr[] {
    return this.headers.getLines(name).flatMap(parseNameAddrList);
  }

  get fromTag(): string | undefined {
    return this.from.params.get("tag") ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to.params.get("tag") ?? undefined;
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = "request" as const;
  method: string;
  uri: SipUri;

  constructor(
    method: string,
    uri: SipUri,
    headers: SipHeaders = new SipHeaders(),
    body: Buffer = Buffer.alloc(0),
  ) {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = "response" as const;
  status: number;
  reason: string;

  constructor(
    status: number,
    reason: string,
    headers: SipHeaders = new SipHeaders(),
    body: Buffer = Buffer.alloc(0),
  ) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;

/** Default reason phrases (RFC 3261 §21 and the extension RFCs we answer with). */
export const REASONS: Readonly<Record<number, string>> = {
  100: "Trying",
  180: "Ringing",
  181: "Call Is Being Forwarded",
  182: "Queued",
  183: "Session Progress",
  200: "OK",
  202: "Accepted",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  415: "Unsupported Media Type",
  416: "Unsupported URI Scheme",
  420: "Bad Extension",
  422: "Session Interval Too Small",
  423: "Interval Too Brief",
  480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist",
  482: "Loop Detected",
  483: "Too Many Hops",
  486: "Busy Here",
  487: "Request Terminated",
  488: "Not Acceptable Here",
  491: "Request Pending",
  500: "Server Internal Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "Version Not Supported",
  603: "Decline",
};
