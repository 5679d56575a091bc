import { IvrError, IvrErrorCode } from "../errors.js";
import { sayDigits, sayNumber } from "../say.js";
import type { NodeOf } from "../schema.js";
import { render } from "../template.js";
import { language, playAll, STOPPED, scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** say-number: reads an integer (一百二十三 / one hundred twenty three) by concatenating prompts. */
export class SayNumberVerb extends Task {
  constructor(private readonly node: NodeOf<"say-number">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const text = render(this.node.value, scopeOf(ctx)).trim();
    if (!/^[0-9]+$/.test(text)) {
      throw new IvrError(IvrErrorCode.BadValue, `say-number: "${text}" is not a non-negative integer`);
    }
    const ok = await playAll(ctx, this.signal, sayNumber(Number(text), language(ctx)));
    return ok ? { next: this.node.next } : STOPPED;
  }
}

/** say-digits: reads digits one by one (a phone or case number). */
export class SayDigitsVerb extends Task {
  constructor(private readonly node: NodeOf<"say-digits">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const ok = await playAll(ctx, this.signal, sayDigits(render(this.node.value, scopeOf(ctx))));
    return ok ? { next: this.node.next } : STOPPED;
  }
}
