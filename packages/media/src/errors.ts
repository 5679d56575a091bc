/**
 * One catalogue of media errors with stable codes. Callers branch on `code`,
 * never on message text (STYLE.md, "Typed events and errors").
 */
export const MediaErrorCode = {
  /** A packet or file was malformed; the detail says which field. */
  Malformed: "HOTLINE_ERR_MEDIA_MALFORMED",
  /** Every port of the configured RTP range is in use. */
  PortsExhausted: "HOTLINE_ERR_MEDIA_PORTS_EXHAUSTED",
  /** Offer/answer found no codec both sides support. */
  NoCommonCodec: "HOTLINE_ERR_MEDIA_NO_COMMON_CODEC",
  /** The object was used after close(). */
  Closed: "HOTLINE_ERR_MEDIA_CLOSED",
  /** An argument was outside its documented range. */
  InvalidArgument: "HOTLINE_ERR_MEDIA_INVALID_ARGUMENT",
  /** A worker did not answer, or died. */
  Worker: "HOTLINE_ERR_MEDIA_WORKER",
} as const;

export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

export class MediaError extends Error {
  override readonly name = "MediaError";
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
