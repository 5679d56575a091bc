import { z } from "zod";
import { HotlineError } from "../errors.js";
import { numberFor } from "../routing/mask.js";
import type { Role } from "../store/tables.js";
import type { CallCenter } from "./call-center.js";
import type { Conversation, ConversationView } from "./conversation.js";

const userIdPattern = z.string().regex(/^[0-9A-Za-z_.-]{1,32}$/, "1–32 letters, digits, _ . -");
const numberPattern = z.string().regex(/^\+?[0-9]{1,20}$/, "digits, optionally with a leading +");

/** Where a transfer, consult or three-way goes. */
export const callTargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agent"), agentId: userIdPattern }),
  z.object({ kind: z.literal("queue"), queueId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) }),
  z.object({ kind: z.literal("number"), number: numberPattern }),
]);
export const attachedSchema = z.record(z.string().max(64), z.string().max(2000));
export const monitorModeSchema = z.enum(["listen", "whisper", "barge"]);

/** One call-control command, as REST bodies and socket.io `call.command` carry them. */
export const callCommandSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("hold") }),
  z.object({ op: z.literal("retrieve") }),
  z.object({ op: z.literal("hangup") }),
  z.object({
    op: z.literal("transfer"),
    to: callTargetSchema,
    mode: z.enum(["blind", "attended"]).default("blind"),
    data: attachedSchema.optional(),
  }),
  z.object({ op: z.literal("consult-complete") }),
  z.object({ op: z.literal("consult-cancel") }),
  z.object({ op: z.literal("conference"), to: callTargetSchema.optional(), data: attachedSchema.optional() }),
  z.object({ op: z.literal("monitor"), mode: monitorModeSchema }),
  z.object({ op: z.literal("stop-monitor") }),
  z.object({ op: z.literal("takeover") }),
]);
export type CallCommand = z.infer<typeof callCommandSchema>;

/** What a role sees of a live call: the caller's number masked for agents. */
export type LiveCallView = ConversationView;

export function presentCall(v: ConversationView, role: Role): LiveCallView {
  return { ...v, caller: numberFor(role, v.caller) };
}

export interface Principal {
  userId: string;
  role: Role;
}

const supervisorOnly = new Set<CallCommand["op"]>(["monitor", "stop-monitor", "takeover"]);

export function liveCall(center: CallCenter | undefined, callId: string): Conversation {
  const c = center?.conversation(callId);
  if (!c || c.ended) throw new HotlineError("HOTLINE_ERR_CALL_NOT_FOUND", `no live call ${callId}`);
  return c;
}

/**
 * Runs one command on a live call for a principal: an agent controls the call they have,
 * supervisors and admins any call; monitoring and take-over are for supervisors and admins.
 * The same rules for REST and socket.io.
 */
export async function runCallCommand(
  center: CallCenter | undefined,
  who: Principal,
  callId: string,
  cmd: CallCommand,
): Promise<LiveCallView> {
  const c = liveCall(center, callId);
  if (who.role === "agent") {
    if (supervisorOnly.has(cmd.op))
      throw new HotlineError("HOTLINE_ERR_FORBIDDEN", "monitoring and take-over are for supervisors");
    if (c.agentId !== who.userId)
      throw new HotlineError("HOTLINE_ERR_NOT_YOUR_CALL", `call ${callId} is not yours`);
  }
  switch (cmd.op) {
    case "hold":
      await c.hold();
      break;
    case "retrieve":
      await c.retrieve();
      break;
    case "hangup":
      await c.hangup();
      break;
    case "transfer":
      if (cmd.mode === "blind") await c.transfer(cmd.to, cmd.data ?? {});
      else await c.consult(cmd.to, cmd.data ?? {});
      break;
    case "consult-complete":
      await c.completeConsult();
      break;
    case "consult-cancel":
      await c.cancelConsult();
      break;
    case "conference":
      if (cmd.to) await c.consult(cmd.to, cmd.data ?? {}, { joinOnAnswer: true });
      else await c.conference();
      break;
    case "monitor":
      await c.monitor(who.userId, cmd.mode);
      break;
    case "stop-monitor":
      await c.stopMonitor(who.userId);
      break;
    case "takeover":
      await c.takeOver(who.userId);
      break;
  }
  return presentCall(c.view(), who.role);
}
