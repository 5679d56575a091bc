import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CallCenter } from "../../calls/call-center.js";
import {
  attachedSchema as attached,
  type CallCommand,
  callTargetSchema as callTarget,
  liveCall,
  monitorModeSchema,
  presentCall,
  runCallCommand,
} from "../../calls/call-control.js";
import { HotlineError } from "../../errors.js";
import { anyRole, principalOf, staff } from "../guard.js";
import { errorResponses, phonePattern, userId } from "../schemas.js";

const callView = z
  .object({
    callId: z.string(),
    caller: z.string().describe("masked (138****1234) for agents"),
    agentId: z.string().optional(),
    held: z.boolean(),
    transferring: z.boolean(),
    ended: z.boolean(),
    consult: z
      .object({
        target: callTarget,
        answered: z.boolean(),
        conferenced: z.boolean(),
        agentId: z.string().optional(),
      })
      .optional(),
    monitors: z.array(z.object({ supervisorId: z.string(), mode: monitorModeSchema })),
    data: z.record(z.string(), z.string()),
  })
  .meta({ id: "LiveCall" });
const callParams = z.object({ id: z.string().min(1).max(80) });
const ok = z.object({ call: callView });

/**
 * Call control of answered calls: hold, hang up, blind and attended transfer, three-way,
 * supervisor listen / whisper / barge / take-over. The agent may control the call they have;
 * supervisors and admins any call. `calls` is late-bound: the engine starts after the API.
 */
export const callRoutes: FastifyPluginAsyncZod<{ calls: () => CallCenter | undefined }> = async (
  app,
  { calls },
) => {
  /** Runs the command for the signed-in user; the answer is the call as their role sees it. */
  const command = async (req: Parameters<typeof principalOf>[0], callId: string, cmd: CallCommand) => ({
    call: await runCallCommand(calls(), principalOf(req), callId, cmd),
  });

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
      return presentCall(c.view(), p.role);
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
      const c = liveCall(calls(), req.params.id);
      if (p.role === "agent" && !c.involves(p.userId))
        throw new HotlineError("HOTLINE_ERR_NOT_YOUR_CALL", `call ${req.params.id} is not yours`);
      return presentCall(c.view(), p.role);
    },
  );

  const simple: Array<[string, string, CallCommand]> = [
    ["hold", "Holds the caller (music)", { op: "hold" }],
    ["retrieve", "Back to the caller", { op: "retrieve" }],
    ["hangup", "Ends the agent's part (with a consult answered: completes it)", { op: "hangup" }],
    [
      "consult/complete",
      "The consulted party takes the caller; the agent leaves",
      { op: "consult-complete" },
    ],
    ["consult/cancel", "Ends the consult; the agent is back with the caller", { op: "consult-cancel" }],
    ["takeover", "Supervisors: take the caller; the agent leaves to wrap-up", { op: "takeover" }],
  ];
  for (const [path, summary, cmd] of simple) {
    app.post(
      `/api/calls/:id/${path}`,
      {
        config: { roles: cmd.op === "takeover" ? staff : anyRole },
        schema: { tags: ["calls"], summary, params: callParams, response: { 200: ok, ...errorResponses } },
      },
      (req) => command(req, req.params.id, cmd),
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
    (req) => command(req, req.params.id, { op: "transfer", ...req.body }),
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
        body: z.object({ to: callTarget.optional(), data: attached.optional() }).nullish(),
        response: { 200: ok, ...errorResponses },
      },
    },
    (req) => command(req, req.params.id, { op: "conference", ...(req.body ?? {}) }),
  );

  app.post(
    "/api/calls/:id/monitor",
    {
      config: { roles: staff },
      schema: {
        tags: ["calls"],
        summary: "Rings the supervisor's phone into the call: listen, whisper (to the agent) or barge",
        params: callParams,
        body: z.object({ mode: monitorModeSchema }),
        response: { 200: ok, ...errorResponses },
      },
    },
    (req) => command(req, req.params.id, { op: "monitor", mode: req.body.mode }),
  );

  app.delete(
    "/api/calls/:id/monitor",
    {
      config: { roles: staff },
      schema: { tags: ["calls"], params: callParams, response: { 200: ok, ...errorResponses } },
    },
    (req) => command(req, req.params.id, { op: "stop-monitor" }),
  );
};
