/**
 * The flow format, as data. A flow is JSON: id, name, version, the start node and
 * the nodes keyed by id; each node is one verb with its parameters and its edges
 * (`next`, `noInput`, `keys`, ...), each edge naming another node.
 *
 * This zod schema is the single definition: the TypeScript types are inferred
 * from it and the JSON Schema for the API docs is generated from it
 * (`flowJsonSchema()`). Graph rules (edges point at nodes, start exists,
 * reachability) are checked by `validateFlow`, which zod alone cannot express.
 */
import { z } from "zod";

/** Node ids are short identifiers so that they read well in IVR-path records. */
export const NodeId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "a node id is a letter followed by letters, digits, _ or -");

/**
 * Prompt names are language-neutral (`greeting`); the interpreter picks the file
 * for the call's current language (variable `lang`). Lower-case words joined by
 * `-`, so that they are safe file names on every system.
 */
export const PromptName = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a prompt name is lower-case words and digits joined by '-'");

/** DTMF keys (RFC 4733 section 3.2 events 0-15 as the caller can press them). */
export const DtmfKey = z.string().regex(/^[0-9*#A-D]$/, "a DTMF key is one of 0-9 * # A-D");

export const Language = z.enum(["zh", "en"]);
export type Language = z.infer<typeof Language>;

/** A string where `{{path}}` is replaced by a variable or caller field, e.g. `{{caller.number}}`. */
export const Template = z.string().max(2048);

const Prompts = z.array(PromptName).max(32);
const VarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a variable name is an identifier");
const Millis = z.number().int().min(0).max(600_000);
const Retries = z.number().int().min(0).max(5);
export const VarValue = z.union([z.string().max(2048), z.number(), z.boolean()]);
export type VarValue = z.infer<typeof VarValue>;

const base = {
  /** Free text shown in editors and in the IVR-path record. */
  label: z.string().max(200).optional(),
};

export const PlayNode = z.strictObject({
  ...base,
  verb: z.literal("play"),
  prompts: Prompts.min(1),
  /** A key pressed during the prompt stops it (and is dropped); default false. */
  bargeIn: z.boolean().default(false),
  next: NodeId,
});

export const SayNumberNode = z.strictObject({
  ...base,
  verb: z.literal("say-number"),
  /** A template that renders to a non-negative integer, read as a number (一百二十三 / one hundred twenty-three). */
  value: Template,
  next: NodeId,
});

export const SayDigitsNode = z.strictObject({
  ...base,
  verb: z.literal("say-digits"),
  /** A template that renders to digits, read one by one (a phone or case number). */
  value: Template,
  next: NodeId,
});

export const MenuNode = z.strictObject({
  ...base,
  verb: z.literal("menu"),
  prompts: Prompts.min(1),
  /** Key → node. Keys may be pressed during the prompts (barge-in). */
  keys: z.record(DtmfKey, NodeId),
  /** How long to wait for a key after the prompts end. */
  timeoutMs: Millis.default(5000),
  /** Extra attempts after a timeout or an invalid key. */
  retries: Retries.default(2),
  invalidPrompts: Prompts.default([]),
  noInputPrompts: Prompts.default([]),
  /** Taken when the attempts are used up without any key. */
  noInput: NodeId,
  /** Taken when the attempts are used up and the last key was not in `keys`. */
  invalid: NodeId,
});

export const CollectNode = z.strictObject({
  ...base,
  verb: z.literal("collect"),
  prompts: Prompts.default([]),
  /** The digits (terminator excluded) are stored in this variable. */
  variable: VarName,
  minDigits: z.number().int().min(1).max(64).default(1),
  maxDigits: z.number().int().min(1).max(64),
  terminator: DtmfKey.optional(),
  firstDigitTimeoutMs: Millis.default(5000),
  interDigitTimeoutMs: Millis.default(3000),
  retries: Retries.default(2),
  invalidPrompts: Prompts.default([]),
  next: NodeId,
  /** Taken when the attempts are used up without a valid entry. */
  noInput: NodeId,
});

const Comparison = z.enum(["eq", "ne", "lt", "le", "gt", "ge", "in", "exists"]);

export const Test = z.discriminatedUnion("kind", [
  /** Open now by the service's calendar (hours, public holidays, adjusted working days). */
  z.strictObject({ kind: z.literal("calendar"), service: z.string().min(1).max(64) }),
  /** The caller's number is on a list (black, white, priority, or a custom list). */
  z.strictObject({ kind: z.literal("list"), list: z.string().min(1).max(64) }),
  /** A caller field: number, dialled, media, or an attribute the engine attached. */
  z.strictObject({
    kind: z.literal("caller"),
    field: z.string().min(1).max(64),
    op: Comparison,
    value: z.union([VarValue, z.array(VarValue)]).optional(),
  }),
  /** Local time of day within [from, to) on the given ISO weekdays (1 = Monday). */
  z.strictObject({
    kind: z.literal("time"),
    from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time is HH:MM"),
    to: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "time is HH:MM (24:00 for midnight)"),
    days: z.array(z.number().int().min(1).max(7)).optional(),
    /** IANA zone; the hotline's own by default. */
    timeZone: z.string().default("Asia/Shanghai"),
  }),
  z.strictObject({
    kind: z.literal("var"),
    name: VarName,
    op: Comparison,
    value: z.union([VarValue, z.array(VarValue)]).optional(),
  }),
]);
export type Test = z.infer<typeof Test>;

export const ConditionNode = z.strictObject({
  ...base,
  verb: z.literal("condition"),
  test: Test,
  ifTrue: NodeId,
  ifFalse: NodeId,
});

export const SetNode = z.strictObject({
  ...base,
  verb: z.literal("set"),
  /** Variable → value; string values are templates. `lang` switches the prompt language. */
  vars: z.record(VarName, VarValue),
  next: NodeId,
});

export const HttpNode = z.strictObject({
  ...base,
  verb: z.literal("http"),
  /** URL template; substituted values are percent-encoded. */
  url: Template,
  method: z.enum(["GET", "POST"]).default("GET"),
  /** JSON body for POST; string values are templates. */
  body: z.record(z.string(), VarValue).optional(),
  timeoutMs: Millis.default(3000),
  /** Variable → dotted path into the JSON answer (`customer.priority`). */
  assign: z.record(VarName, z.string().min(1).max(200)).default({}),
  next: NodeId,
  /** Taken on timeout, network error, non-2xx status or a body that is not JSON. */
  fallback: NodeId,
});

export const EnqueueNode = z.strictObject({
  ...base,
  verb: z.literal("enqueue"),
  queue: z.string().min(1).max(64),
  /** Higher is answered first; a number or a template rendering to one. */
  priority: z.union([z.number().int().min(0).max(100), Template]).default(0),
  /** Attached call data carried to the agent (screen pop) and through transfers; templates. */
  data: z.record(z.string(), VarValue).default({}),
  holdMusic: PromptName.default("hold-music"),
  /** Position / estimated-wait announcements, repeated while waiting. */
  announce: z
    .strictObject({
      everyMs: z.number().int().min(5000).max(600_000).default(30_000),
      firstAfterMs: Millis.default(0),
      position: z.boolean().default(true),
      estimatedWait: z.boolean().default(true),
    })
    .optional(),
  /** Answered and the agent hung up first: the caller is still here (survey). */
  next: NodeId,
  /** The queue overflowed (too long a wait or too many callers). */
  overflow: NodeId,
  /** The caller accepted a callback offered by the queue; absent → the queue does not offer one. */
  callback: NodeId.optional(),
});

export const TransferNode = z.strictObject({
  ...base,
  verb: z.literal("transfer"),
  target: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("number"), number: z.string().regex(/^\+?[0-9*#]{1,32}$/) }),
    z.strictObject({
      kind: z.literal("uri"),
      uri: z.string().regex(/^sips?:[^\s]+$/i, "a sip: or sips: URI"),
    }),
  ]),
  /** Taken when the transfer target refused or did not answer; success ends the flow. */
  failed: NodeId,
});

export const VoicemailNode = z.strictObject({
  ...base,
  verb: z.literal("voicemail"),
  /** Whose mailbox: a queue, an agent or a service name the server maps to a voicemail target. */
  mailbox: z.string().min(1).max(64),
  prompts: Prompts.default([]),
  maxSeconds: z.number().int().min(5).max(600).default(120),
  next: NodeId,
});

export const CallbackOfferNode = z.strictObject({
  ...base,
  verb: z.literal("callback-offer"),
  prompts: Prompts.min(1),
  acceptKey: DtmfKey.default("1"),
  declineKey: DtmfKey.default("2"),
  timeoutMs: Millis.default(5000),
  retries: Retries.default(1),
  invalidPrompts: Prompts.default([]),
  confirmPrompts: Prompts.default([]),
  /** Queue the callback is owed by. */
  queue: z.string().min(1).max(64),
  /** Number to call back; the caller's own by default. */
  number: Template.default("{{caller.number}}"),
  accepted: NodeId,
  /** Declined, or no answer after the retries. */
  declined: NodeId,
});

export const SurveyNode = z.strictObject({
  ...base,
  verb: z.literal("survey"),
  prompts: Prompts.min(1),
  invalidPrompts: Prompts.default([]),
  timeoutMs: Millis.default(8000),
  retries: Retries.default(2),
  /** Taken after a rating, after the retries, or at once if this call was already rated. */
  next: NodeId,
});

export const HangupNode = z.strictObject({
  ...base,
  verb: z.literal("hangup"),
  /** Played before releasing (a notice, thanks, goodbye). */
  prompts: Prompts.default([]),
  /** Why the call is released: normal clearing, or rejected (black list). */
  cause: z.enum(["normal", "rejected", "closed"]).default("normal"),
});

export const VERBS = [
  "play",
  "say-number",
  "say-digits",
  "menu",
  "collect",
  "condition",
  "set",
  "http",
  "enqueue",
  "transfer",
  "voicemail",
  "callback-offer",
  "survey",
  "hangup",
] as const;
export type VerbName = (typeof VERBS)[number];

export const FlowNode = z.discriminatedUnion("verb", [
  PlayNode,
  SayNumberNode,
  SayDigitsNode,
  MenuNode,
  CollectNode,
  ConditionNode,
  SetNode,
  HttpNode,
  EnqueueNode,
  TransferNode,
  VoicemailNode,
  CallbackOfferNode,
  SurveyNode,
  HangupNode,
]);

export const Flow = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a flow id is lower-case letters, digits and '-'"),
  name: z.string().min(1).max(200),
  version: z.number().int().min(1),
  description: z.string().max(2000).optional(),
  start: NodeId,
  nodes: z.record(NodeId, FlowNode),
});

/** A flow as written (defaults may be omitted). */
export type FlowInput = z.input<typeof Flow>;
/** A flow after parsing (defaults filled in). */
export type Flow = z.output<typeof Flow>;
export type FlowNode = z.output<typeof FlowNode>;
export type NodeOf<V extends VerbName> = Extract<FlowNode, { verb: V }>;

/** The JSON Schema of a flow as written, for the OpenAPI docs (zod 4 `z.toJSONSchema`). */
export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Flow, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
