import type { NodeOf } from "../schema.js";
import { playAll, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** hangup: plays its notice (if any) to the end, then releases the call with its cause. */
export class HangupVerb extends Task {
  constructor(private readonly node: NodeOf<"hangup">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    if (!(await playAll(ctx, this.signal, this.node.prompts))) return STOPPED;
    await ctx.port.hangup(this.node.cause);
    return { end: "hangup", cause: this.node.cause };
  }
}
