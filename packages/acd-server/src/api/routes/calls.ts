import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CallCenter } from "../../calls/call-center.js";
import type { Conversation, ConversationView } from "../../calls/conversation.js";
import { HotlineError } from "../../errors.js";
import { numberFor } from "../../routing/mask.js";
import type { Role } from "../../store/tables.js";
import { anyRole, principalOf, staff } from "../guard.js";
import { errorResponses, phonePattern, slug, userId } from "../schemas.js";

const callTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agent"), agentId: userId }),
  z.object({ kind: z.literal("queue"), queueId: slug }),
  z.object({ kind: z.literal("number"), number: phonePattern }),
]);
const attached = z.record(z.string().max(64), z.string().max(2000));
const callView = z
  .object({
    callId: z.string(),
    caller: z.string().describe("masked (138****1234) for agents"),
    agentId: z.string().optional(),
    held: z.boolean(),
    transferring: z.boolean(),
    consult: z
      .object({
        target: callTarget,
        answered: z.boolean(),
        conferenced: z.boolean(),
        agentId: z.string().optional(),
      })
      .optional(),
    monitors: z.array(z.object({ supervisorId: z.string(), mode: z.enum(["listen", "whisper", "barge"]) })),
    data: z.record(z.string(), z.string()),
  })
  .meta({ id: "LiveCall" });
const callParams = z.object({ id: z.string().min(1).max(80) });
const ok = z.object({ call: callView });

function present(v: ConversationView, role: Role): z.infer<typeof callView> {
  return { ...v, caller: numberFor(role, v.caller) };
}

/**
 * Call control of answered calls: hold, hang up, blind and attended transfer, three-way,
 * supervisor listen / whisper / barge / take-over. The agent may control the call they have;
 * supervisors and admins any call. `calls` is late-bound: the engine starts after the API.
 */
export const callRoutes: FastifyPluginAsyncZod<{ calls: () => CallCenter | undefined }> = async (
  app,
  { calls },
) => {
  function live(callId: string): Conversation {
    const c = calls()?.conversation(callId);
    if (!c || c.ended) throw new HotlineError("HOTLINE_ERR_CALL_NOT_FOUND", `no live call ${callId}`);
    return c;
  }
  /** The call, if the principal may control it: its agent, or staff. */
  function controlled(callId: string, user: { userId: string; role: Role }): Conversation {
    const c = live(callId);
    if (user.role === "agent" && c.agentId !== user.userId)
      throw new HotlineError("HOTLINE_ERR_NOT_YOUR_CALL", `call ${callId} is not yours`);
    return c;
  }

  app.post(
    "/api/calls/originate",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["calls"],
        summary:
          "Click-to-dial: rings the agent's phone, then the number, presenting the hotline number. Agents dial for themselves; supervisors and the business system (admin) for any agent",
        body: z.object({
          number: phonePattern.optional().describe("required unless taskId names a callback task"),
          agentId: userId.optional(),
          taskId: z.string().min(1).max(120).optional().describe("a callback task to work with this call"),
          data: attached.optional(),
        }),
        response: { 202: z.object({ callId: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const agentId = req.body.agentId ?? p.userId;
      if (p.role === "agent" && agentId !== p.userId)
        throw new HotlineError("HOTLINE_ERR_FORBIDDEN", "agents dial for themselves only");
      const center = calls();
      if (!center) throw new HotlineError("HOTLINE_ERR_NOT_READY", "no call engine is running");
      // A callback task's number: agents only ever see it masked, so the server dials it.
      const number =
        req.body.number ?? (req.body.taskId ? await center.taskNumber(req.body.taskId) : undefined);
      if (!number)
        throw new HotlineError("HOTLINE_ERR_VALIDATION", "number (or a callback taskId) is required");
      const r = await center.originate({
        agentId,
        number,
        taskId: req.body.taskId,
        data: req.body.data,
      });
      return reply.code(202).send(r);
    },
  );

  app.get(
    "/api/agents/me/call",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["calls"],
        summary: "The call I am on (as its agent, consulted party or monitor)",
        response: { 200: callView, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const c = calls()?.conversationOf(p.userId);
      if (!c) throw new HotlineError("HOTLINE_ERR_CALL_NOT_FOUND", "you are on no call");
      return present(c.view(), p.role);
    },
  );

  app.get(
    "/api/calls/:id",
    {
      config: { roles: anyRole },
      schema: { tags: ["calls"], params: callParams, response: { 200: callView, ...errorResponses } },
    },
    async (req) => {
      const p = principalOf(req);
      const c = live(req.params.id);
      if (p.role === "agent" && !c.involves(p.userId))
        throw new HotlineError("HOTLINE_ERR_NOT_YOUR_CALL", `call ${req.params.id} is not yours`);
      return present(c.view(), p.role);
    },
  );

  const simple: Array<[string, string, (c: Conversation) => Promise<void>]> = [
    ["hold", "Holds the caller (music)", (c) => c.hold()],
    ["retrieve", "Back to the caller", (c) => c.retrieve()],
    ["hangup", "Ends the agent's part (with a consult answered: completes the transfer)", (c) => c.hangup()],
    [
      "consult/complete",
      "The consulted party takes the caller; the agent leaves",
      (c) => c.completeConsult(),
    ],
    ["consult/cancel", "Ends the consult; the agent is back with the caller", (c) => c.cancelConsult()],
  ];
  for (const [path, summary, op] of simple) {
    app.post(
      `/api/calls/:id/${path}`,
      {
        config: { roles: anyRole },
        schema: { tags: ["calls"], summary, params: callParams, response: { 200: ok, ...errorResponses } },
      },
      async (req) => {
        const p = principalOf(req);
        const c = controlled(req.params.id, p);
        await op(c);
        return { call: present(c.view(), p.role) };
      },
    );
  }

  app.post(
    "/api/calls/:id/transfer",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["calls"],
        summary: "Blind transfer (the caller goes on at once) or attended (consult first)",
        params: callParams,
        body: z.object({
          to: callTarget,
          mode: z.enum(["blind", "attended"]).default("blind"),
          data: attached.optional().describe("merged into the call's attached data"),
        }),
        response: { 200: ok, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const c = controlled(req.params.id, p);
      if (req.body.mode === "blind") await c.transfer(req.body.to, req.body.data ?? {});
      else await c.consult(req.body.to, req.body.data ?? {});
      return { call: present(c.view(), p.role) };
    },
  );

  app.post(
    "/api/calls/:id/conference",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["calls"],
        summary:
          "Three-way: joins the answered consult, or with `to` calls the target and joins it on answer",
        params: callParams,
        body: z.object({ to: callTarget.optional(), data: attached.optional() }).optional(),
        response: { 200: ok, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const c = controlled(req.params.id, p);
      if (req.body?.to) await c.consult(req.body.to, req.body.data ?? {}, { joinOnAnswer: true });
      else await c.conference();
      return { call: present(c.view(), p.role) };
    },
  );

  app.post(
    "/api/calls/:id/monitor",
    {
      config: { roles: staff },
      schema: {
        tags: ["calls"],
        summary: "Rings the supervisor's phone into the call: listen, whisper (to the agent) or barge",
        params: callParams,
        body: z.object({ mode: z.enum(["listen", "whisper", "barge"]) }),
        response: { 200: ok, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const c = live(req.params.id);
      await c.monitor(p.userId, req.body.mode);
      return { call: present(c.view(), p.role) };
    },
  );

  app.delete(
    "/api/calls/:id/monitor",
    {
      config: { roles: staff },
      schema: { tags: ["calls"], params: callParams, response: { 200: ok, ...errorResponses } },
    },
    async (req) => {
      const p = principalOf(req);
      const c = live(req.params.id);
      await c.stopMonitor(p.userId);
      return { call: present(c.view(), p.role) };
    },
  );

  app.post(
    "/api/calls/:id/takeover",
    {
      config: { roles: staff },
      schema: {
        tags: ["calls"],
        summary: "The supervisor takes the caller; the agent leaves to wrap-up",
        params: callParams,
        response: { 200: ok, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const c = live(req.params.id);
      await c.takeOver(p.userId);
      return { call: present(c.view(), p.role) };
    },
  );
};
