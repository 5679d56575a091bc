import type { NodeOf } from "../schema.js";
import { playAll, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** voicemail: the intro prompts, then the port records (or hands to the voicemail server). */
export class VoicemailVerb extends Task {
  constructor(private readonly node: NodeOf<"voicemail">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    if (!(await playAll(ctx, this.signal, this.node.prompts))) return STOPPED;
    await ctx.port.voicemail({
      mailbox: this.node.mailbox,
      maxSeconds: this.node.maxSeconds,
      signal: this.signal,
    });
    return this.signal.aborted ? STOPPED : { next: this.node.next };
  }
}
