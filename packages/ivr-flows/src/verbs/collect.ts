import type { NodeOf } from "../schema.js";
import { playAll, refs, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/**
 * collect: digits into a variable — up to maxDigits, ended early by the
 * terminator or the inter-digit timeout; fewer than minDigits costs an attempt.
 */
export class CollectVerb extends Task {
  constructor(private readonly node: NodeOf<"collect">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    for (let attempt = 0; attempt <= n.retries; attempt++) {
      let initial = "";
      if (n.prompts.length > 0) {
        const played = await ctx.port.play(refs(ctx, n.prompts), { bargeIn: true, signal: this.signal });
        if (played.stopped) return STOPPED;
        initial = played.key ?? "";
      }
      const got =
        initial !== "" && initial === n.terminator
          ? { digits: "", end: "terminator" as const }
          : await ctx.port.collectDigits({
              maxDigits: n.maxDigits,
              terminator: n.terminator,
              firstDigitTimeoutMs: n.firstDigitTimeoutMs,
              interDigitTimeoutMs: n.interDigitTimeoutMs,
              initialDigits: initial,
              signal: this.signal,
            });
      if (got.end === "stopped" || this.signal.aborted) return STOPPED;
      if (got.digits.length >= n.minDigits && got.digits.length <= n.maxDigits) {
        ctx.vars.set(n.variable, got.digits);
        ctx.emit({ type: "digits-collected", digits: got.digits });
        return { next: n.next };
      }
      if (got.digits.length > 0) ctx.emit({ type: "digits-collected", digits: got.digits });
      if (attempt < n.retries && !(await playAll(ctx, this.signal, n.invalidPrompts))) return STOPPED;
    }
    return { next: n.noInput };
  }
}
