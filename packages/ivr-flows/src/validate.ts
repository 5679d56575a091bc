/**
 * Flow validation: the zod schema first, then the graph rules zod cannot say —
 * every edge names an existing node, the start node exists, and (as warnings)
 * which nodes cannot be reached from the start.
 */
import { type FlowIssue, IvrError, IvrErrorCode } from "./errors.js";
import { Flow, type FlowNode, VERBS } from "./schema.js";

export type ValidationResult =
  | { ok: true; flow: Flow; warnings: FlowIssue[] }
  | { ok: false; errors: FlowIssue[]; warnings: FlowIssue[] };

export interface ValidateOptions {
  /** Prompt names that exist (the catalogue); when given, unknown prompts are errors. */
  prompts?: Iterable<string>;
}

/** The outgoing edges of a node: the field that holds each and the node it names. */
export function edgesOf(node: FlowNode): Array<{ edge: string; target: string }> {
  const out: Array<{ edge: string; target: string }> = [];
  const add = (edge: string, target: string | undefined) => {
    if (target !== undefined) out.push({ edge, target });
  };
  switch (node.verb) {
    case "play":
    case "say-number":
    case "say-digits":
    case "set":
    case "voicemail":
    case "survey":
      add("next", node.next);
      break;
    case "menu":
      for (const [key, target] of Object.entries(node.keys)) add(`keys.${key}`, target);
      add("noInput", node.noInput);
      add("invalid", node.invalid);
      break;
    case "collect":
      add("next", node.next);
      add("noInput", node.noInput);
      break;
    case "condition":
      add("ifTrue", node.ifTrue);
      add("ifFalse", node.ifFalse);
      break;
    case "http":
      add("next", node.next);
      add("fallback", node.fallback);
      break;
    case "enqueue":
      add("next", node.next);
      add("overflow", node.overflow);
      add("callback", node.callback);
      break;
    case "transfer":
      add("failed", node.failed);
      break;
    case "callback-offer":
      add("accepted", node.accepted);
      add("declined", node.declined);
      break;
    case "hangup":
      break;
  }
  return out;
}

/** The prompt names a node plays by name (say-number/say-digits pieces are not listed). */
export function promptsOf(node: FlowNode): string[] {
  switch (node.verb) {
    case "play":
      return [...node.prompts];
    case "menu":
      return [...node.prompts, ...node.invalidPrompts, ...node.noInputPrompts];
    case "collect":
      return [...node.prompts, ...node.invalidPrompts];
    case "enqueue":
      return [node.holdMusic];
    case "voicemail":
    case "hangup":
      return [...node.prompts];
    case "callback-offer":
      return [...node.prompts, ...node.invalidPrompts, ...node.confirmPrompts];
    case "survey":
      return [...node.prompts, ...node.invalidPrompts];
    default:
      return [];
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function validateFlow(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: FlowIssue[] = [];
  const warnings: FlowIssue[] = [];

  // An unknown verb makes zod report a vague union failure; name it plainly instead.
  const badVerbNodes = new Set<string>();
  if (isRecord(input) && isRecord(input.nodes)) {
    for (const [id, node] of Object.entries(input.nodes)) {
      const verb = isRecord(node) ? node.verb : undefined;
      if (typeof verb !== "string" || !(VERBS as readonly string[]).includes(verb)) {
        badVerbNodes.add(id);
        errors.push({
          path: `nodes.${id}.verb`,
          message: `unknown verb ${JSON.stringify(verb)}; known verbs: ${VERBS.join(", ")}`,
        });
      }
    }
  }

  const parsed = Flow.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path;
      if (first === "nodes" && typeof second === "string" && badVerbNodes.has(second)) continue;
      errors.push({ path: issue.path.map(String).join(".") || "(flow)", message: issue.message });
    }
    return { ok: false, errors, warnings };
  }
  const flow = parsed.data;
  const known = options.prompts ? new Set(options.prompts) : undefined;

  if (!(flow.start in flow.nodes)) {
    errors.push({ path: "start", message: `start node "${flow.start}" does not exist` });
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const { edge, target } of edgesOf(node)) {
      if (!(target in flow.nodes)) {
        errors.push({ path: `nodes.${id}.${edge}`, message: `edge points to missing node "${target}"` });
      }
    }
    if (node.verb === "http" && node.method === "GET" && node.body !== undefined) {
      errors.push({ path: `nodes.${id}.body`, message: "a GET request has no body; use POST" });
    }
    if (node.verb === "collect" && node.minDigits > node.maxDigits) {
      errors.push({ path: `nodes.${id}.minDigits`, message: "minDigits is more than maxDigits" });
    }
    if (known) {
      for (const p of promptsOf(node)) {
        if (!known.has(p)) errors.push({ path: `nodes.${id}`, message: `unknown prompt "${p}"` });
      }
    }
  }

  // Reachability from the start (breadth-first over the edges).
  if (flow.start in flow.nodes) {
    const seen = new Set<string>([flow.start]);
    const queue = [flow.start];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const node = flow.nodes[id];
      if (!node) continue;
      for (const { target } of edgesOf(node)) {
        if (!seen.has(target) && target in flow.nodes) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    for (const id of Object.keys(flow.nodes)) {
      if (!seen.has(id))
        warnings.push({ path: `nodes.${id}`, message: `node "${id}" is unreachable from the start` });
    }
  }

  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, flow, warnings };
}

/** Flows returned by parseFlow, so that runFlow does not validate the same object per call. */
const parsed = new WeakSet<object>();

/** True when `flow` is an object parseFlow returned (and so already validated). */
export function isParsedFlow(flow: unknown): flow is Flow {
  return typeof flow === "object" && flow !== null && parsed.has(flow);
}

/** validateFlow, throwing IvrError(HOTLINE_ERR_IVR_INVALID_FLOW) with the issues when invalid. */
export function parseFlow(input: unknown, options: ValidateOptions = {}): Flow {
  const result = validateFlow(input, options);
  if (!result.ok) {
    const first = result.errors[0];
    throw new IvrError(
      IvrErrorCode.InvalidFlow,
      `invalid flow: ${first ? `${first.path}: ${first.message}` : "unknown problem"}` +
        (result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ""),
      result.errors,
    );
  }
  parsed.add(result.flow);
  return result.flow;
}
