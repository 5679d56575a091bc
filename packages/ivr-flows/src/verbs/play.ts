import type { NodeOf } from "../schema.js";
import { refs, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** play: the prompts, in the call's language; with bargeIn a key cuts them short. */
export class PlayVerb extends Task {
  constructor(private readonly node: NodeOf<"play">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const played = await ctx.port.play(refs(ctx, this.node.prompts), {
      bargeIn: this.node.bargeIn,
      signal: this.signal,
    });
    if (played.stopped) return STOPPED;
    if (played.key !== null) ctx.emit({ type: "key-pressed", key: played.key });
    return { next: this.node.next };
  }
}
