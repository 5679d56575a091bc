import { IvrError, IvrErrorCode } from "../errors.js";
import type { NodeOf } from "../schema.js";
import { renderValues } from "../template.js";
import { scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** set: assigns variables (string values are templates). `lang` must be zh or en. */
export class SetVerb extends Task {
  constructor(private readonly node: NodeOf<"set">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    // Render all values against the scope before any is assigned, so `a` and `b` can swap.
    const values = renderValues(this.node.vars, scopeOf(ctx));
    if ("lang" in values && values.lang !== "zh" && values.lang !== "en") {
      throw new IvrError(
        IvrErrorCode.BadValue,
        `set: lang must be "zh" or "en", not ${JSON.stringify(values.lang)}`,
      );
    }
    for (const [k, v] of Object.entries(values)) ctx.vars.set(k, v);
    return { next: this.node.next };
  }
}
