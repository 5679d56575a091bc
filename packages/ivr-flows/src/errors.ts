/**
 * One catalogue of IVR errors with stable codes. Callers branch on `code`,
 * never on message text (STYLE.md, "Typed events and errors").
 */
export const IvrErrorCode = {
  /** The flow failed schema or graph validation; `issues` says where. */
  InvalidFlow: "HOTLINE_ERR_IVR_INVALID_FLOW",
  /** A call-port operation failed (the engine reported an error). */
  Port: "HOTLINE_ERR_IVR_PORT",
  /** A variable or template could not be used as the node needs it. */
  BadValue: "HOTLINE_ERR_IVR_BAD_VALUE",
} as const;

export type IvrErrorCode = (typeof IvrErrorCode)[keyof typeof IvrErrorCode];

/** One problem found in a flow, located by a dotted path such as `nodes.greeting.keys.2`. */
export interface FlowIssue {
  path: string;
  message: string;
}

export class IvrError extends Error {
  override readonly name = "IvrError";
  constructor(
    readonly code: IvrErrorCode,
    message: string,
    readonly issues: readonly FlowIssue[] = [],
  ) {
    super(message);
  }
}
