import type { NodeOf } from "../schema.js";
import { askKey, playAll, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/**
 * menu: prompts with barge-in, then a key → its node. No key within the timeout,
 * or a key not in the menu, costs one attempt (with its prompt); when the
 * attempts are used up the `noInput` or `invalid` edge is taken.
 */
export class MenuVerb extends Task {
  constructor(private readonly node: NodeOf<"menu">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    let lastWasInvalid = false;
    for (let attempt = 0; attempt <= n.retries; attempt++) {
      const key = await askKey(ctx, this.signal, n.prompts, n.timeoutMs);
      if (key === "stopped") return STOPPED;
      const last = attempt === n.retries;
      if (key === null) {
        lastWasInvalid = false;
        if (!last && !(await playAll(ctx, this.signal, n.noInputPrompts))) return STOPPED;
        continue;
      }
      ctx.emit({ type: "key-pressed", key });
      const target = n.keys[key];
      if (target !== undefined) return { next: target };
      lastWasInvalid = true;
      if (!last && !(await playAll(ctx, this.signal, n.invalidPrompts))) return STOPPED;
    }
    return { next: lastWasInvalid ? n.invalid : n.noInput };
  }
}
