/**
 * Parser for RFC 3261 messages (§7, §25): one message per datagram / WebSocket frame, or cut from a
 * byte stream by `SipStreamFramer` using Content-Length (§18.3). Every failure is a `SipParseError`
 * whose reason can go straight into a 400 reason phrase.
 */
import { SipParseError } from "./errors.js";
import { isToken, parseCSeq, parseNameAddr, parseNameAddrList, parseUri, parseViaList } from "./grammar.js";
import { canonicalName, SipHeaders, type SipMessage, SipRequest, SipResponse } from "./message.js";

export interface ParseLimits {
  /** Largest message accepted, start line to end of body. */
  maxMessageBytes: number;
  /** Most header fields (lines after unfolding). */
  maxHeaders: number;
  /** Longest physical line. */
  maxLineLength: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = {
  maxMessageBytes: 65_535,
  maxHeaders: 256,
  maxLineLength: 8_192,
};

// Headers that "MUST NOT" appear more than once (§7.3.1: only comma-list headers may repeat).
const SINGLE = ["Call-ID", "CSeq", "From", "To", "Max-Forwards", "Content-Length", "Content-Type", "Expires"];
const REQUIRED = ["Via", "From", "To", "Call-ID", "CSeq"];
// rfc1123-date = wkday "," SP date1 SP time SP "GMT" (§25.1: "SIP-date = rfc1123-date").
const DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) ([^ ]+) ([Ss][Ii][Pp]\/[0-9]+\.[0-9]+)$/;
const STATUS_LINE = /^([Ss][Ii][Pp]\/[0-9]+\.[0-9]+) ([0-9]{3})(?: (.*))?$/;

function indexOfBlankLine(buf: Buffer): { head: number; body: number } {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { head: crlf, body: crlf + 4 };
  if (lf >= 0) return { head: lf, body: lf + 2 };
  return { head: buf.length, body: buf.length };
}

function checkScalar(name: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (!/^[0-9]{1,10}$/.test(value.trim()) || Number(value.trim()) > max) {
    throw new SipParseError("BAD_HEADER", `bad ${name} value`);
  }
}

/**
 * Parse one complete message. `stream` says the bytes came from a stream framer (Content-Length was
 * already used to cut them); for a datagram "the Content-Length header field value is used to locate
 * the end of each SIP message in the stream" is replaced by §18.3: extra bytes are discarded and a
 * body shorter than Content-Length makes the message invalid.
 */
export function parseMessage(
  data: Buffer | string,
  limits: Readonly<ParseLimits> = DEFAULT_LIMITS,
): SipMessage {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (buf.length > limits.maxMessageBytes) throw new SipParseError("MESSAGE_TOO_LARGE", "Message too large");
  let start = 0;
  // §7.5: "Implementations processing SIP messages over stream-oriented transports MUST ignore any
  // CRLF appearing before the start-line".
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const rest = start === 0 ? buf : buf.subarray(start);
  const split = indexOfBlankLine(rest);
  const head = rest.toString("utf8", 0, split.head);
  const lines = head.split(/\r?\n/);
  for (const l of lines) {
    if (l.length > limits.maxLineLength) throw new SipParseError("LINE_TOO_LONG", "Line too long");
  }
  const startLine = lines[0] ?? "";
  const headers = new SipHeaders();
  const isRequest = !/^SIP\//i.test(startLine);
  let count = 0;
  let err: SipParseError | undefined;
  // Continuation pieces are collected and joined once per header: concatenating (and trimming) at
  // each folded line would be quadratic in a message made of thousands of tiny folds.
  let folds: string[] | undefined;
  const flush = () => {
    const last = headers.list[headers.list.length - 1];
    if (folds && last) last.value = [last.value, ...folds].filter((x) => x !== "").join(" ");
    folds = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    if (line[0] === " " || line[0] === "\t") {
      // §7.3.1: folded continuation; the CRLF plus leading whitespace is equivalent to one SP.
      if (headers.list.length === 0) {
        err ??= new SipParseError("BAD_HEADER", "Continuation line without header");
        continue;
      }
      const piece = line.trim();
      if (piece !== "") {
        folds ??= [];
        folds.push(piece);
      }
      continue;
    }
    flush();
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trimEnd();
    if (!isToken(name)) {
      err ??= new SipParseError("BAD_HEADER", "Malformed header line");
      continue;
    }
    if (++count > limits.maxHeaders) throw new SipParseError("TOO_MANY_HEADERS", "Too many headers");
    headers.list.push({ name: canonicalName(name), value: line.slice(colon + 1).trim() });
  }
  flush();
  try {
    if (err) throw err;
    const msg = buildStartLine(startLine, headers);
    validate(msg);
    msg.body = sliceBody(rest.subarray(split.body), headers.get("Content-Length"));
    return msg;
  } catch (e) {
    if (e instanceof SipParseError) e.partial = { isRequest, headers };
    throw e;
  }
}

function buildStartLine(line: string, headers: SipHeaders): SipMessage {
  if (/^SIP\//i.test(line)) {
    const m = STATUS_LINE.exec(line);
    if (!m) throw new SipParseError("BAD_START_LINE", "Malformed status line");
    if (m[1]!.toUpperCase() !== "SIP/2.0")
      throw new SipParseError("BAD_VERSION", "Version Not Supported", 505);
    const status = Number(m[2]);
    if (status < 100 || status > 699) throw new SipParseError("BAD_START_LINE", "Bad status code");
    return new SipResponse(status, m[3] ?? "", headers);
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly one SP each (RFC 4475 §3.1.2.9-10).
  const m = REQUEST_LINE.exec(line);
  if (!m) throw new SipParseError("BAD_START_LINE", "Malformed request line");
  if (m[3]!.toUpperCase() !== "SIP/2.0") throw new SipParseError("BAD_VERSION", "Version Not Supported", 505);
  const uri = parseUri(m[2]!);
  // RFC 4475 §3.1.2.11: a Request-URI carrying URI headers is rejected (§19.1.1: headers are not
  // allowed in a Request-URI).
  if ((uri.scheme === "sip" || uri.scheme === "sips") && uri.headers.size > 0) {
    throw new SipParseError("BAD_URI", "Request-URI must not contain headers");
  }
  return new SipRequest(m[1]!, uri, headers);
}

function guard(name: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof SipParseError) throw new SipParseError("BAD_HEADER", `Bad ${name} header (${e.reason})`);
    throw e;
  }
}

function validate(msg: SipMessage): void {
  const h = msg.headers;
  for (const name of REQUIRED) {
    if (!h.has(name)) throw new SipParseError("MISSING_HEADER", `Missing ${name} header`);
  }
  for (const name of SINGLE) {
    if (h.getLines(name).length > 1) throw new SipParseError("DUPLICATE_HEADER", `Multiple ${name} headers`);
  }
  guard("Via", () => {
    for (const line of h.getLines("Via")) parseViaList(line);
  });
  guard("From", () => parseNameAddr(h.get("From")!));
  guard("To", () => parseNameAddr(h.get("To")!));
  let cseqMethod = "";
  guard("CSeq", () => {
    cseqMethod = parseCSeq(h.get("CSeq")!).method;
  });
  if (/[\s,]/.test(h.get("Call-ID")!) || h.get("Call-ID") === "") {
    throw new SipParseError("BAD_HEADER", "Bad Call-ID header");
  }
  checkScalar("Max-Forwards", h.get("Max-Forwards"), 255);
  checkScalar("Expires", h.get("Expires"), 2 ** 32 - 1);
  const date = h.get("Date");
  if (date !== undefined && !DATE.test(date)) throw new SipParseError("BAD_HEADER", "Bad Date header");
  if (msg.kind === "request") {
    // RFC 4475 §3.1.2.17-18: the CSeq method must match the Request-Line method.
    if (cseqMethod !== msg.method)
      throw new SipParseError("CSEQ_MISMATCH", "CSeq method does not match request");
    guard("Contact", () => {
      for (const line of h.getLines("Contact")) parseNameAddrList(line);
    });
  }
}

function sliceBody(body: Buffer, contentLength: string | undefined): Buffer {
  if (contentLength === undefined) return body;
  if (!/^[0-9]{1,10}$/.test(contentLength))
    throw new SipParseError("BAD_CONTENT_LENGTH", "Bad Content-Length");
  const n = Number(contentLength);
  if (n > body.length) throw new SipParseError("BAD_CONTENT_LENGTH", "Content-Length larger than body");
  return n === body.length ? body : body.subarray(0, n);
}

export type FramedItem =
  | { kind: "message"; data: Buffer }
  /** RFC 5626 §3.5.1: a double-CRLF "ping"; the answer is a single CRLF "pong". */
  | { kind: "ping" }
  | { kind: "error"; error: SipParseError };

/**
 * Cuts SIP messages out of a byte stream (TCP/TLS) by Content-Length (§18.3: "In the case of
 * stream-oriented transports such as TCP, the Content-Length header field indicates the size of the
 * body. ... the header field MUST be used with stream oriented transports."). After an error the
 * stream cannot be re-synchronised: the caller should close the connection.
 */
export class SipStreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly limits: Readonly<ParseLimits> = DEFAULT_LIMITS) {}

  push(chunk: Buffer): FramedItem[] {
    if (this.broken) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: FramedItem[] = [];
    for (;;) {
      // Leading CRLFs: "\r\n\r\n" is a keep-alive ping (RFC 5626 §3.5.1), a lone CRLF is ignored (§7.5).
      while (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
        if (this.buf.length < 4) return out;
        if (this.buf[2] === 0x0d && this.buf[3] === 0x0a) {
          out.push({ kind: "ping" });
          this.buf = this.buf.subarray(4);
        } else this.buf = this.buf.subarray(2);
      }
      if (this.buf.length === 0) return out;
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.buf.length > this.limits.maxMessageBytes)
          return this.fail(out, "MESSAGE_TOO_LARGE", "Message too large");
        return out;
      }
      const head = this.buf.toString("latin1", 0, end);
      const m = /(?:^|\r\n)(?:Content-Length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
      const clText = m?.[1]?.trim() ?? "0";
      if (!/^[0-9]{1,10}$/.test(clText)) return this.fail(out, "BAD_CONTENT_LENGTH", "Bad Content-Length");
      const total = end + 4 + Number(clText);
      if (total > this.limits.maxMessageBytes)
        return this.fail(out, "MESSAGE_TOO_LARGE", "Message too large");
      if (this.buf.length < total) return out;
      out.push({ kind: "message", data: Buffer.from(this.buf.subarray(0, total)) });
      this.buf = this.buf.subarray(total);
    }
  }

  private fail(
    out: FramedItem[],
    code: "MESSAGE_TOO_LARGE" | "BAD_CONTENT_LENGTH",
    reason: string,
  ): FramedItem[] {
    this.broken = true;
    this.buf = Buffer.alloc(0);
    out.push({ kind: "error", error: new SipParseError(code, reason) });
    return out;
  }
}
