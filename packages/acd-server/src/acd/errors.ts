/**
 * One catalogue of ACD errors with stable codes. Callers (the REST API, the call
 * session) branch on `code`, never on message text.
 */
export const AcdErrorCode = {
  IllegalAgentTransition: "HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION",
  UnknownAgent: "HOTLINE_ERR_UNKNOWN_AGENT",
  UnknownQueue: "HOTLINE_ERR_UNKNOWN_QUEUE",
  UnknownCall: "HOTLINE_ERR_UNKNOWN_CALL",
  DuplicateCall: "HOTLINE_ERR_DUPLICATE_CALL",
  NotAgentsCall: "HOTLINE_ERR_NOT_AGENTS_CALL",
  InvalidConfig: "HOTLINE_ERR_INVALID_ACD_CONFIG",
  Closed: "HOTLINE_ERR_ACD_CLOSED",
} as const;
export type AcdErrorCode = (typeof AcdErrorCode)[keyof typeof AcdErrorCode];

/** HTTP status the API layer should use for each code. */
export const acdErrorStatus: Readonly<Record<AcdErrorCode, number>> = {
  HOTLINE_ERR_ILLEGAL_AGENT_TRANSITION: 409,
  HOTLINE_ERR_UNKNOWN_AGENT: 404,
  HOTLINE_ERR_UNKNOWN_QUEUE: 404,
  HOTLINE_ERR_UNKNOWN_CALL: 404,
  HOTLINE_ERR_DUPLICATE_CALL: 409,
  HOTLINE_ERR_NOT_AGENTS_CALL: 409,
  HOTLINE_ERR_INVALID_ACD_CONFIG: 400,
  HOTLINE_ERR_ACD_CLOSED: 503,
};

export class AcdError extends Error {
  readonly code: AcdErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: AcdErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "AcdError";
    this.code = code;
    this.details = details;
  }
}
