/**
 * Errors from the server, by stable code (docs/api.md). The UI branches on `code` and shows a
 * translated message for it; the server's `message` is only a fallback for codes we do not know.
 */
export type ApiErrorCode =
  | "HOTLINE_ERR_VALIDATION"
  | "HOTLINE_ERR_UNAUTHENTICATED"
  | "HOTLINE_ERR_BAD_CREDENTIALS"
  | "HOTLINE_ERR_TOKEN_EXPIRED"
  | "HOTLINE_ERR_TOKEN_INVALID"
  | "HOTLINE_ERR_FORBIDDEN"
  | "HOTLINE_ERR_NOT_FOUND"
  | "HOTLINE_ERR_CONFLICT"
  | "HOTLINE_ERR_RATE_LIMITED"
  | "HOTLINE_ERR_NOT_READY"
  | "HOTLINE_ERR_INTERNAL"
  /** Client side: the server could not be reached or answered something that is not our API. */
  | "HOTLINE_ERR_NETWORK";

export const knownErrorCodes: readonly ApiErrorCode[] = [
  "HOTLINE_ERR_VALIDATION",
  "HOTLINE_ERR_UNAUTHENTICATED",
  "HOTLINE_ERR_BAD_CREDENTIALS",
  "HOTLINE_ERR_TOKEN_EXPIRED",
  "HOTLINE_ERR_TOKEN_INVALID",
  "HOTLINE_ERR_FORBIDDEN",
  "HOTLINE_ERR_NOT_FOUND",
  "HOTLINE_ERR_CONFLICT",
  "HOTLINE_ERR_RATE_LIMITED",
  "HOTLINE_ERR_NOT_READY",
  "HOTLINE_ERR_INTERNAL",
  "HOTLINE_ERR_NETWORK",
];

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    message: string,
    /** Seconds to wait, from `Retry-After` (HOTLINE_ERR_RATE_LIMITED). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function isApiErrorCode(v: unknown): v is ApiErrorCode {
  return typeof v === "string" && (knownErrorCodes as readonly string[]).includes(v);
}

/** Any thrown value as an ApiError, so callers have one shape to show. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError("HOTLINE_ERR_NETWORK", 0, message);
}
