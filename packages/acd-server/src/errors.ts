/**
 * The one catalogue of API errors. Clients branch on `code`, never on message text.
 * Each code has one HTTP status; adding a code is an API change and goes in docs/api.md.
 */
export const errorCatalogue = {
  HOTLINE_ERR_VALIDATION: { status: 400, message: "The request is not valid" },
  HOTLINE_ERR_UNAUTHENTICATED: { status: 401, message: "Authentication is required" },
  HOTLINE_ERR_BAD_CREDENTIALS: { status: 401, message: "Wrong user or password" },
  HOTLINE_ERR_TOKEN_EXPIRED: { status: 401, message: "The token has expired" },
  HOTLINE_ERR_TOKEN_INVALID: { status: 401, message: "The token is not valid" },
  HOTLINE_ERR_FORBIDDEN: { status: 403, message: "Your role may not do this" },
  HOTLINE_ERR_NOT_FOUND: { status: 404, message: "Not found" },
  HOTLINE_ERR_CONFLICT: { status: 409, message: "It already exists or was changed meanwhile" },
  HOTLINE_ERR_RATE_LIMITED: { status: 429, message: "Too many attempts; try again later" },
  HOTLINE_ERR_NOT_READY: { status: 503, message: "The service is not ready" },
  HOTLINE_ERR_INTERNAL: { status: 500, message: "Internal error" },
  HOTLINE_ERR_FLOW_INVALID: { status: 400, message: "The IVR flow does not validate" },
  HOTLINE_ERR_FLOW_NUMBER_TAKEN: { status: 409, message: "Another flow already answers that number" },
  HOTLINE_ERR_CALL_NOT_FOUND: { status: 404, message: "No such live call" },
  HOTLINE_ERR_NOT_YOUR_CALL: { status: 403, message: "You are not a party to that call" },
  HOTLINE_ERR_CALL_STATE: { status: 409, message: "The call is not in a state that allows this" },
  HOTLINE_ERR_TARGET_UNAVAILABLE: {
    status: 409,
    message: "The transfer or consult target cannot take the call",
  },
  HOTLINE_ERR_NO_DEVICE: { status: 409, message: "No registered phone to ring for you" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An expected failure with a stable code; the API error handler turns it into a response. */
export class HotlineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds the client should wait, for rate limits (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: Record<string, unknown>; retryAfterSeconds?: number } = {},
  ) {
    super(message ?? errorCatalogue[code].message);
    this.name = "HotlineError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The body of every error response. */
export interface ErrorBody {
  /** A code of this catalogue, or of the ACD's (`HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION` …). */
  code: ErrorCode | `HOTLINE_ERR_${string}`;
  message: string;
  details?: Record<string, unknown>;
}
