import type { NodeOf } from "../schema.js";
import { render } from "../template.js";
import { askKey, playAll, STOPPED, scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** callback-offer: "press 1 to be called back"; accepted → the request is filed and confirmed. */
export class CallbackOfferVerb extends Task {
  constructor(private readonly node: NodeOf<"callback-offer">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    for (let attempt = 0; attempt <= n.retries; attempt++) {
      const key = await askKey(ctx, this.signal, n.prompts, n.timeoutMs);
      if (key === "stopped") return STOPPED;
      if (key === null) continue;
      ctx.emit({ type: "key-pressed", key });
      if (key === n.declineKey) return { next: n.declined };
      if (key === n.acceptKey) {
        const scope = scopeOf(ctx);
        await ctx.port.requestCallback({
          queue: n.queue,
          number: render(n.number, scope),
          // The call's variables travel with the request (the agent who calls back sees them).
          data: Object.fromEntries(ctx.vars),
        });
        if (!(await playAll(ctx, this.signal, n.confirmPrompts))) return STOPPED;
        return { next: n.accepted };
      }
      if (attempt < n.retries && !(await playAll(ctx, this.signal, n.invalidPrompts))) return STOPPED;
    }
    return { next: n.declined };
  }
}
