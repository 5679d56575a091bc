/**
 * The interpreter: walks a flow node by node against a call port. It is the
 * whole "call-session loop" of the IVR and stays small on purpose: each verb
 * lives in its own class (verbs/), this file only sequences them, records the
 * path, stops on the caller's hangup and guards against loops.
 */
import { IvrError, IvrErrorCode } from "./errors.js";
import type { CallerInfo, CallPort, IvrEvent, SurveyRating } from "./port.js";
import type { FlowInput, Language, VarValue } from "./schema.js";
import { isParsedFlow, parseFlow } from "./validate.js";
import { createVerb } from "./verbs/index.js";
import type { NodeEvent, RunState, VerbContext, VerbOutcome } from "./verbs/task.js";

export interface RunOptions {
  caller: CallerInfo;
  /** Initial variables (the server may preset some, e.g. from the trunk). */
  vars?: Record<string, VarValue>;
  /** Prompt language at the start; the `lang` variable changes it. Default zh. */
  language?: Language;
  /** Aborted by the server when the caller hangs up: the current verb is killed and the run stops. */
  signal?: AbortSignal;
  /** Loop guard: at most this many node visits. Default 200. */
  maxSteps?: number;
  /** The call was already rated in an earlier run (one rating per call): survey nodes pass on. */
  surveyed?: boolean;
}

export interface PathStep {
  nodeId: string;
  verb: string;
  at: number;
  /** Keys the caller pressed while in this node, in order. */
  keys: string[];
}

export type FlowEnd = "hangup" | "transferred" | "caller-hangup" | "max-steps" | "error";

export interface FlowResult {
  end: FlowEnd;
  /** Hangup cause for `hangup`. */
  cause?: string;
  /** For `error`: the stable code and the message. */
  error?: { code: string; message: string };
  path: PathStep[];
  vars: Record<string, VarValue>;
  survey?: SurveyRating;
  steps: number;
}

export const DEFAULT_MAX_STEPS = 200;

/**
 * Runs `flow` on `port` until it ends. Never rejects for call-level failures:
 * the result says how it ended. Rejects with IvrError(INVALID_FLOW) up front if
 * the flow does not validate.
 */
export async function runFlow(flow: FlowInput, port: CallPort, options: RunOptions): Promise<FlowResult> {
  // A flow from parseFlow (the server parses each stored version once) is not validated again per call.
  const valid = isParsedFlow(flow) ? flow : parseFlow(flow);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const vars = new Map<string, VarValue>(Object.entries(options.vars ?? {}));
  if (!vars.has("lang")) vars.set("lang", options.language ?? "zh");
  const state: RunState = { surveyed: options.surveyed ?? false };
  const path: PathStep[] = [];
  const signal = options.signal ?? new AbortController().signal;

  const emit = (event: IvrEvent) => {
    try {
      port.event(event);
    } catch {
      // A broken event sink must not cost the caller their call.
    }
  };

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });

  const finish = (end: FlowEnd, extra: Partial<FlowResult> = {}): FlowResult => {
    if (onAbort) signal.removeEventListener("abort", onAbort);
    emit({ type: "flow-ended", at: port.clock.now(), end });
    return {
      end,
      ...extra,
      path,
      vars: Object.fromEntries(vars),
      ...(state.survey ? { survey: state.survey } : {}),
      steps: path.length,
    };
  };

  let nodeId = valid.start;
  for (;;) {
    if (signal.aborted) return finish("caller-hangup");
    if (path.length >= maxSteps) return finish("max-steps");
    const node = valid.nodes[nodeId];
    if (!node) {
      // parseFlow checked every edge; reaching here means the flow object was mutated meanwhile.
      return finish("error", {
        error: { code: IvrErrorCode.InvalidFlow, message: `node "${nodeId}" does not exist` },
      });
    }
    const step: PathStep = { nodeId, verb: node.verb, at: port.clock.now(), keys: [] };
    path.push(step);
    emit({ type: "node-entered", at: step.at, nodeId, verb: node.verb });

    const currentId = nodeId;
    const ctx: VerbContext = {
      nodeId,
      port,
      caller: options.caller,
      vars,
      state,
      emit(e: NodeEvent) {
        if (e.type === "key-pressed") step.keys.push(e.key);
        emit({ ...e, at: port.clock.now(), nodeId: currentId } as IvrEvent);
      },
    };
    const verb = createVerb(node);
    let outcome: VerbOutcome | "aborted";
    try {
      outcome = await Promise.race([verb.exec(ctx), aborted]);
    } catch (err) {
      verb.kill();
      if (signal.aborted) return finish("caller-hangup");
      const code = err instanceof IvrError ? err.code : IvrErrorCode.Port;
      const message = err instanceof Error ? err.message : String(err);
      return finish("error", { error: { code, message } });
    }
    // Always kill: whatever the verb left running at the port (a queue wait, a prompt) stops now.
    verb.kill();
    if (outcome === "aborted" || signal.aborted) return finish("caller-hangup");
    if ("next" in outcome) {
      nodeId = outcome.next;
      continue;
    }
    switch (outcome.end) {
      case "hangup":
        return finish("hangup", { cause: outcome.cause });
      case "transferred":
        return finish("transferred");
      case "caller-hangup":
      case "stopped":
        return finish("caller-hangup");
    }
  }
}
