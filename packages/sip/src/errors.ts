/**
 * Errors with stable codes. Callers branch on `code` or the class, never on message text.
 */
import type { SipHeaders } from "./message.js";

/** Codes a parse can fail with; stable, so a caller may count or branch on them. */
export type SipParseErrorCode =
  | "MESSAGE_TOO_LARGE"
  | "TOO_MANY_HEADERS"
  | "LINE_TOO_LONG"
  | "BAD_START_LINE"
  | "BAD_VERSION"
  | "BAD_URI"
  | "BAD_HEADER"
  | "MISSING_HEADER"
  | "DUPLICATE_HEADER"
  | "BAD_CONTENT_LENGTH"
  | "CSEQ_MISMATCH";

/**
 * A message could not be parsed. `reason` is short, CR/LF-free text usable as the reason phrase
 * of the 400 (or 505) the transport answers a malformed request with (RFC 3261 §21.4.1).
 */
export class SipParseError extends Error {
  override readonly name = "SipParseError";
  /** What could be read before the failure: lets a server still answer a broken request with 400. */
  partial?: { isRequest: boolean; headers: SipHeaders } | undefined;
  constructor(
    readonly code: SipParseErrorCode,
    readonly reason: string,
    /** SIP status a server should answer a request with: 400, or 505 for an unknown version. */
    readonly status: 400 | 505 = 400,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** A SIP outcome (a final non-2xx answer, or a local failure mapped to one, e.g. 408 on timeout). */
export class SipError extends Error {
  override readonly name = "SipError";
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status} ${reason}`);
  }
}

export type SipStackErrorCode =
  | "SIP_ERR_CLOSED"
  | "SIP_ERR_NO_TRANSPORT"
  | "SIP_ERR_BAD_STATE"
  | "SIP_ERR_AUTH"
  | "SIP_ERR_TIMEOUT";

/** Misuse of the API or a local failure (no transport for a destination, use after close). */
export class SipStackError extends Error {
  override readonly name = "SipStackError";
  constructor(
    readonly code: SipStackErrorCode,
    message: string,
  ) {
    super(message);
  }
}
