import type { NodeOf } from "../schema.js";
import { STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** transfer: hands the call to a number or SIP URI; success ends the flow, failure takes `failed`. */
export class TransferVerb extends Task {
  constructor(private readonly node: NodeOf<"transfer">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const result = await ctx.port.transfer(this.node.target);
    if (this.signal.aborted) return STOPPED;
    return result.ok ? { end: "transferred" } : { next: this.node.failed };
  }
}
