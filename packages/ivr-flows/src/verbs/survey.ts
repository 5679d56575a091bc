import type { SurveyLabel } from "../port.js";
import type { NodeOf } from "../schema.js";
import { askKey, playAll, STOPPED, Task, type VerbContext, type VerbOutcome } from "./task.js";

/** The 12345 convention: 1 very satisfied … 5 very dissatisfied. */
export const SURVEY_LABELS: Record<1 | 2 | 3 | 4 | 5, SurveyLabel> = {
  1: "very-satisfied",
  2: "satisfied",
  3: "neutral",
  4: "dissatisfied",
  5: "very-dissatisfied",
};

/**
 * survey: one rating 1–5 per call; an invalid key costs an attempt and plays the
 * invalid prompt. The rating is also left in the variable `survey_rating`.
 */
export class SurveyVerb extends Task {
  constructor(private readonly node: NodeOf<"survey">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    if (ctx.state.surveyed) return { next: n.next };
    // Keys pressed during the conversation (for the agent's system) are not a rating.
    ctx.port.clearDigits();
    for (let attempt = 0; attempt <= n.retries; attempt++) {
      const key = await askKey(ctx, this.signal, n.prompts, n.timeoutMs);
      if (key === "stopped") return STOPPED;
      if (key === null) continue;
      ctx.emit({ type: "key-pressed", key });
      if (key === "1" || key === "2" || key === "3" || key === "4" || key === "5") {
        const rating = Number(key) as 1 | 2 | 3 | 4 | 5;
        const label = SURVEY_LABELS[rating];
        // Mark before the write so that a retry of this node can never rate twice.
        ctx.state.surveyed = true;
        ctx.state.survey = { rating, label };
        ctx.vars.set("survey_rating", rating);
        await ctx.port.recordSurvey({ rating, label });
        ctx.emit({ type: "survey-rated", rating });
        return { next: n.next };
      }
      if (attempt < n.retries && !(await playAll(ctx, this.signal, n.invalidPrompts))) return STOPPED;
    }
    return { next: n.next };
  }
}
