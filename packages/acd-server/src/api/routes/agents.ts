import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AgentState } from "../../acd/index.js";
import { HotlineError } from "../../errors.js";
import { numberFor } from "../../routing/mask.js";
import type { AcdRuntime } from "../../routing/runtime.js";
import { writeAudit } from "../../store/audit.js";
import type { Store } from "../../store/store.js";
import { anyRole, principalOf, staff } from "../guard.js";
import { errorResponses, userIdParams } from "../schemas.js";

const stateName = z.enum([
  "LOGGED_OUT",
  "NOT_READY",
  "READY",
  "RESERVED",
  "RINGING",
  "ON_CALL",
  "HOLD",
  "WRAP_UP",
]);
const agentView = z
  .object({
    agentId: z.string(),
    displayName: z.string(),
    state: stateName,
    reason: z.string().optional(),
    since: z.string(),
    wrapUpEndsAt: z.string().optional(),
    callId: z.string().optional(),
    queues: z.array(z.string()),
  })
  .meta({ id: "Agent" });
const reasonCode = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);

export const agentRoutes: FastifyPluginAsyncZod<{ runtime: AcdRuntime; store: Store }> = async (
  app,
  { runtime, store },
) => {
  const acd = runtime.acd;

  async function chosenReason(code: string | undefined): Promise<string> {
    if (!code)
      throw new HotlineError(
        "HOTLINE_ERR_VALIDATION",
        "not ready needs a reason code (GET /api/not-ready-reasons)",
      );
    const r = await store.db
      .selectFrom("not_ready_reasons")
      .select("system")
      .where("code", "=", code)
      .executeTakeFirst();
    if (!r || r.system)
      throw new HotlineError("HOTLINE_ERR_VALIDATION", `${code} is not a reason an agent can choose`);
    return code;
  }

  app.get(
    "/api/agents",
    {
      // Agents see colleagues' states too: the transfer dialog offers whoever is ready.
      config: { roles: anyRole },
      schema: {
        tags: ["agents"],
        summary: "Every agent's live state",
        response: { 200: z.array(agentView), ...errorResponses },
      },
    },
    async () => runtime.listAgents(),
  );

  app.get(
    "/api/agents/me",
    {
      config: { roles: anyRole },
      schema: { tags: ["agents"], response: { 200: agentView, ...errorResponses } },
    },
    async (req) => runtime.agentView(principalOf(req).userId),
  );

  app.post(
    "/api/agents/me/state",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["agents"],
        summary: "Go ready, not ready (with a reason) or log out",
        body: z
          .object({ state: z.enum(["READY", "NOT_READY", "LOGGED_OUT"]), reason: reasonCode.optional() })
          .strict(),
        response: { 200: agentView, ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req).userId;
      const { state, reason } = req.body;
      if (state === "LOGGED_OUT") return runtime.view(await acd.logout(me));
      const why = state === "NOT_READY" ? await chosenReason(reason) : undefined;
      const cur = await acd.agent(me);
      if (cur.state === AgentState.LoggedOut) await acd.login(me);
      const next = state === "READY" ? await acd.setReady(me) : await acd.setNotReady(me, why as string);
      return runtime.view(next);
    },
  );

  app.post(
    "/api/agents/me/wrap-up",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["agents"],
        summary: "Extend after-call work, or end it and go ready",
        body: z.discriminatedUnion("action", [
          z.object({ action: z.literal("extend"), seconds: z.number().int().min(5).max(600) }).strict(),
          z.object({ action: z.literal("end") }).strict(),
        ]),
        response: { 200: agentView, ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req).userId;
      if (req.body.action === "end") return runtime.view(await acd.endWrapUp(me));
      await acd.extendWrapUp(me, req.body.seconds * 1000);
      return runtime.agentView(me);
    },
  );

  app.post(
    "/api/agents/:id/state",
    {
      config: { roles: staff },
      schema: {
        tags: ["agents"],
        summary: "Supervisor: force an agent not ready, or log them out",
        params: userIdParams,
        body: z.object({ state: z.enum(["NOT_READY", "LOGGED_OUT"]) }).strict(),
        response: { 200: agentView, ...errorResponses },
      },
    },
    async (req) => {
      const who = principalOf(req).userId;
      const before = await runtime.agentView(req.params.id);
      const next =
        req.body.state === "LOGGED_OUT"
          ? await acd.logout(req.params.id)
          : await acd.setNotReady(req.params.id, "supervisor");
      const after = runtime.view(next);
      await writeAudit(store.db, {
        actor: who,
        action: `force-${req.body.state.toLowerCase()}`,
        entity: "agent",
        entityId: req.params.id,
        before,
        after,
        sourceIp: req.ip,
      });
      return after;
    },
  );

  const taskId = z.object({ id: z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/) });
  const taskView = z
    .object({
      id: z.string(),
      queueId: z.string(),
      kind: z.enum(["callback", "missed-callback"]),
      caller: z.string(),
      since: z.string(),
      originCallId: z.string().optional(),
    })
    .meta({ id: "CallbackTask" });

  app.get(
    "/api/callbacks",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["callbacks"],
        summary: "Callback tasks waiting: missed calls and callers who asked to be called back",
        response: { 200: z.array(taskView), ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req);
      const queues = me.role === "agent" ? runtime.queuesOf(me.userId) : runtime.queueIds();
      return (await runtime.callbackTasks(queues)).map((t) => ({
        id: t.id,
        queueId: t.queueId,
        kind: t.kind as "callback" | "missed-callback",
        caller: numberFor(me.role, t.number),
        since: new Date(t.arrivedAt).toISOString(),
        ...(t.originCallId ? { originCallId: t.originCallId } : {}),
      }));
    },
  );

  app.post(
    "/api/callbacks/:id/claim",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["callbacks"],
        summary: "Take a callback task: the agent is on it (ON_CALL) until they complete it",
        params: taskId,
        response: { 200: agentView, ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req).userId;
      if ((await acd.agent(me)).state === AgentState.LoggedOut) await acd.login(me);
      if (!(await acd.claim(me, req.params.id))) {
        throw new HotlineError("HOTLINE_ERR_CONFLICT", "someone else took this task first");
      }
      return runtime.view(await acd.answered(me, req.params.id));
    },
  );

  app.post(
    "/api/callbacks/:id/complete",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["callbacks"],
        summary: "Finish the callback task the agent took (then after-call work)",
        params: taskId,
        response: { 200: agentView, ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req).userId;
      await acd.hangup(me, req.params.id);
      return runtime.agentView(me);
    },
  );

  app.get(
    "/api/not-ready-reasons",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["agents"],
        summary: "The reasons an agent may give for not ready (system ones are set by the server)",
        response: {
          200: z.array(
            z.object({
              code: z.string(),
              label: z.object({ zh: z.string(), en: z.string() }),
              system: z.boolean(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async () =>
      (await store.db.selectFrom("not_ready_reasons").selectAll().orderBy("position").execute()).map((r) => ({
        code: r.code,
        label: { zh: r.label_zh, en: r.label_en },
        system: r.system,
      })),
  );

  app.get(
    "/api/queues/stats",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["queues"],
        summary: "Live figures per queue",
        response: {
          200: z.array(
            z.object({
              queueId: z.string(),
              waiting: z.number(),
              longestWaitSeconds: z.number(),
              agentsReady: z.number(),
              serviceLevel: z.number().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async () => runtime.queueStats(),
  );

  app.get(
    "/api/wallboard",
    { config: { roles: staff }, schema: { tags: ["queues"], summary: "The wall screen's figures" } },
    async () => runtime.wallboard(),
  );
};
