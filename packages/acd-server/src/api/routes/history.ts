import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { z } from "zod";
import { AgentState } from "../../acd/index.js";
import { HotlineError } from "../../errors.js";
import { numberFor } from "../../routing/mask.js";
import type { AcdRuntime } from "../../routing/runtime.js";
import type { Store } from "../../store/store.js";
import type { Role } from "../../store/tables.js";
import { anyRole, principalOf, staff } from "../guard.js";
import { errorResponses, phonePattern, slug, userId } from "../schemas.js";

/**
 * Call history and an agent's own figures, read from the record (calls, call_events, surveys,
 * agent_state_history): what the desk's history and today panels and the incoming-call panel's
 * "previous calls" show, and what a supervisor searches. Caller numbers are masked for agents,
 * as everywhere else (routing/mask.ts).
 */

const historyEntry = z
  .object({
    callId: z.string(),
    direction: z.enum(["inbound", "outbound"]),
    caller: z.string().describe("masked (138****1234) for agents"),
    dialled: z.string(),
    queueId: z.string().nullable(),
    agentId: z.string().nullable(),
    startedAt: z.string(),
    answeredAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    /** From arrival to the end of the call (IVR, wait, talk and survey). */
    durationSeconds: z.number().nullable(),
    /** From the first answer by an agent to the last agent's hang-up. */
    talkSeconds: z.number().nullable(),
    outcome: z.string().nullable(),
    rating: z.number().nullable().describe("survey: 1 very satisfied … 5 very dissatisfied"),
  })
  .meta({ id: "CallHistoryEntry" });
type HistoryEntry = z.infer<typeof historyEntry>;

const page = z.object({ total: z.number(), items: z.array(historyEntry) }).meta({ id: "CallHistoryPage" });

const myStats = z
  .object({
    /** The start of "today" the figures cover: midnight in China (UTC+8). */
    since: z.string(),
    answered: z.number(),
    averageTalkSeconds: z.number().nullable(),
    averageWrapUpSeconds: z.number().nullable(),
    notReadySeconds: z.number(),
    loggedInSeconds: z.number(),
    /** Time on calls (reserved, ringing, talking, holding) and in after-call work over time logged in, 0–1. */
    utilisation: z.number().nullable(),
    satisfaction: z.object({
      ratings: z.number(),
      /** Very satisfied and satisfied over all ratings, 0–1 (the hotline's assessment figure). */
      satisfiedRate: z.number().nullable(),
      averageRating: z.number().nullable(),
    }),
  })
  .meta({ id: "AgentTodayStats" });

const isoTime = z.string().datetime({ offset: true });
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

const CHINA_OFFSET_MS = 480 * 60_000;
/** Midnight of the China day holding `at`: the hotline's day, whatever the server's zone. */
export function chinaDayStart(at: number): number {
  return Date.parse(`${new Date(at + CHINA_OFFSET_MS).toISOString().slice(0, 10)}T00:00:00+08:00`);
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const historyRoutes: FastifyPluginAsyncZod<{
  store: Store;
  runtime: AcdRuntime;
  /** Now, for "today" (tests move it). */
  now?: () => number;
}> = async (app, { store, runtime, now = Date.now }) => {
  const db = store.db;

  /** Rows of `calls` (already filtered and paged) → entries, with talk time and rating. */
  async function entries(
    rows: Array<{
      id: string;
      direction: "inbound" | "outbound";
      caller: string;
      dialled: string;
      queue_id: string | null;
      agent_id: string | null;
      started_at: Date;
      answered_at: Date | null;
      ended_at: Date | null;
      outcome: string | null;
    }>,
    role: Role,
  ): Promise<HistoryEntry[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [talk, ratings] = await Promise.all([
      db
        .selectFrom("call_events")
        .select([
          "call_id",
          sql<Date | null>`min(at) filter (where kind = 'answered')`.as("first_answer"),
          sql<Date | null>`max(at) filter (where kind = 'completed')`.as("last_completed"),
        ])
        .where("call_id", "in", ids)
        .groupBy("call_id")
        .execute(),
      db.selectFrom("surveys").select(["call_id", "rating"]).where("call_id", "in", ids).execute(),
    ]);
    const talkOf = new Map(talk.map((t) => [t.call_id, t]));
    const ratingOf = new Map(ratings.map((r) => [r.call_id, r.rating]));
    return rows.map((r) => {
      const t = talkOf.get(r.id);
      // PGlite and pg both return timestamptz as Date; an aggregate through `sql` may come back
      // as text on some drivers, so read both.
      const a = t?.first_answer ? new Date(t.first_answer).getTime() : null;
      const c = t?.last_completed ? new Date(t.last_completed).getTime() : null;
      return {
        callId: r.id,
        direction: r.direction,
        caller: numberFor(role, r.caller),
        dialled: r.dialled,
        queueId: r.queue_id,
        agentId: r.agent_id,
        startedAt: r.started_at.toISOString(),
        answeredAt: iso(r.answered_at),
        endedAt: iso(r.ended_at),
        durationSeconds: r.ended_at ? seconds(r.ended_at.getTime() - r.started_at.getTime()) : null,
        talkSeconds: a !== null && c !== null && c >= a ? seconds(c - a) : null,
        outcome: r.outcome,
        rating: ratingOf.get(r.id) ?? null,
      };
    });
  }

  const callColumns = [
    "calls.id",
    "calls.direction",
    "calls.caller",
    "calls.dialled",
    "calls.queue_id",
    "calls.agent_id",
    "calls.started_at",
    "calls.answered_at",
    "calls.ended_at",
    "calls.outcome",
  ] as const;

  app.get(
    "/api/calls/history",
    {
      config: { roles: staff },
      schema: {
        tags: ["history"],
        summary: "Supervisor: search the call record by time, agent, queue and caller (newest first, paged)",
        querystring: z
          .object({
            from: isoTime.optional().describe("calls that started at or after"),
            to: isoTime.optional().describe("calls that started before"),
            agent: userId.optional().describe("calls this agent answered (any leg of the call)"),
            queue: slug.optional(),
            caller: phonePattern.optional().describe("the caller's number, exactly"),
            outcome: z
              .string()
              .regex(/^[a-z-]{1,32}$/)
              .optional(),
            limit: limit(200, 50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          })
          .strict(),
        response: { 200: page, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to))
        throw new HotlineError("HOTLINE_ERR_VALIDATION", "from must be before to");
      let base = db.selectFrom("calls");
      if (q.from) base = base.where("calls.started_at", ">=", new Date(q.from));
      if (q.to) base = base.where("calls.started_at", "<", new Date(q.to));
      if (q.queue) base = base.where("calls.queue_id", "=", q.queue);
      if (q.caller) base = base.where("calls.caller", "=", q.caller);
      if (q.outcome) base = base.where("calls.outcome", "=", q.outcome);
      const agent = q.agent;
      if (agent) {
        // Transfers leave calls.agent_id at the last agent; an agent who answered any leg counts.
        base = base.where((eb) =>
          eb.or([
            eb("calls.agent_id", "=", agent),
            eb.exists(
              eb
                .selectFrom("call_events")
                .select("call_events.id")
                .whereRef("call_events.call_id", "=", "calls.id")
                .where("call_events.kind", "=", "answered")
                .where("call_events.agent_id", "=", agent),
            ),
          ]),
        );
      }
      const [count, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirstOrThrow(),
        base
          .select(callColumns)
          .orderBy("calls.started_at", "desc")
          .orderBy("calls.id", "desc")
          .limit(q.limit)
          .offset(q.offset)
          .execute(),
      ]);
      return { total: Number(count.n), items: await entries(rows, principalOf(req).role) };
    },
  );

  app.get(
    "/api/agents/me/calls",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["history"],
        summary: "The calls I answered, newest first",
        querystring: z.object({ limit: limit(100, 20) }).strict(),
        response: { 200: z.array(historyEntry), ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req);
      const rows = await db
        .selectFrom("calls")
        .select(callColumns)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("call_events")
              .select("call_events.id")
              .whereRef("call_events.call_id", "=", "calls.id")
              .where("call_events.kind", "=", "answered")
              .where("call_events.agent_id", "=", me.userId),
          ),
        )
        .orderBy("calls.started_at", "desc")
        .orderBy("calls.id", "desc")
        .limit(req.query.limit)
        .execute();
      return entries(rows, me.role);
    },
  );

  app.get(
    "/api/calls/previous",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["history"],
        summary: "Earlier calls from the same caller, for the incoming-call panel",
        description:
          "Give `callId` (the call being offered or handled: agents see only masked numbers, so they name the call, and may name only their own) or `number` (supervisors and admins). The call itself is left out.",
        querystring: z
          .object({
            callId: z.string().min(1).max(80).optional(),
            number: phonePattern.optional(),
            limit: limit(50, 10),
          })
          .strict()
          .refine(
            (v) => (v.callId === undefined) !== (v.number === undefined),
            "give callId or number, not both",
          ),
        response: { 200: z.array(historyEntry), ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req);
      const { callId, limit: n } = req.query;
      let number = req.query.number;
      if (number !== undefined && me.role === "agent")
        throw new HotlineError(
          "HOTLINE_ERR_FORBIDDEN",
          "agents look up previous calls by the call, not the number",
        );
      if (callId !== undefined) {
        const call = await db
          .selectFrom("calls")
          .select(["caller", "agent_id"])
          .where("id", "=", callId)
          .executeTakeFirst();
        if (!call) throw new HotlineError("HOTLINE_ERR_NOT_FOUND", `no call ${callId}`);
        if (me.role === "agent" && call.agent_id !== me.userId) {
          // Offered or ringing: the call is not the agent's in the record yet, but it is in the ACD.
          const live = await runtime.agentView(me.userId).catch(() => undefined);
          if (live?.callId !== callId)
            throw new HotlineError("HOTLINE_ERR_NOT_YOUR_CALL", "that call is not yours");
        }
        number = call.caller;
      }
      let q = db
        .selectFrom("calls")
        .select(callColumns)
        .where("calls.caller", "=", number as string);
      if (callId !== undefined) q = q.where("calls.id", "!=", callId);
      const rows = await q.orderBy("calls.started_at", "desc").orderBy("calls.id", "desc").limit(n).execute();
      return entries(rows, me.role);
    },
  );

  app.get(
    "/api/agents/me/stats",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["history"],
        summary:
          "My figures for today: answered, average talk and wrap-up, not-ready time, utilisation, satisfaction",
        response: { 200: myStats, ...errorResponses },
      },
    },
    async (req) => {
      const me = principalOf(req).userId;
      const at = now();
      const since = chinaDayStart(at);
      const [answered, history, surveys, live] = await Promise.all([
        db
          .selectFrom("call_events")
          .select((eb) => eb.fn.countAll<string | number>().as("n"))
          .where("kind", "=", "answered")
          .where("agent_id", "=", me)
          .where("at", ">=", new Date(since))
          .executeTakeFirstOrThrow(),
        // Rows of transitions out of a state that ended today (from_ms is the time spent in it).
        db
          .selectFrom("agent_state_history")
          .select(["from_state", "to_state", "at", "from_ms"])
          .where("agent_id", "=", me)
          .where("at", ">=", new Date(since))
          .execute(),
        db
          .selectFrom("surveys")
          .select(["rating"])
          .where("agent_id", "=", me)
          .where("at", ">=", new Date(since))
          .execute(),
        runtime.agentView(me).catch(() => undefined),
      ]);
      const spans = history.map((h) => ({
        from: h.from_state,
        to: h.to_state,
        // A state entered before midnight counts from midnight.
        ms: Math.min(Number(h.from_ms), h.at.getTime() - since),
      }));
      if (live) {
        // The state the agent is in now has no row yet: count it up to now.
        const entered = Math.max(Date.parse(live.since), since);
        spans.push({ from: live.state, to: "", ms: Math.max(0, at - entered) });
      }
      const sum = (f: (s: (typeof spans)[number]) => boolean) =>
        spans.filter(f).reduce((n, s) => n + s.ms, 0);
      const talking = new Set<string>([AgentState.OnCall, AgentState.Hold]);
      const busy = new Set<string>([
        AgentState.Reserved,
        AgentState.Ringing,
        AgentState.OnCall,
        AgentState.Hold,
        AgentState.WrapUp,
      ]);
      // Finished calls and wrap-ups: the transitions that left them (an ongoing one is not an average's).
      const callsDone = spans.filter((s) => talking.has(s.from) && s.to !== "" && !talking.has(s.to));
      const talkMs = sum((s) => talking.has(s.from) && s.to !== "");
      const wrapsDone = spans.filter(
        (s) => s.from === AgentState.WrapUp && s.to !== "" && s.to !== AgentState.WrapUp,
      );
      const wrapMs = sum((s) => s.from === AgentState.WrapUp && s.to !== "");
      const loggedInMs = sum((s) => s.from !== AgentState.LoggedOut);
      const busyMs = sum((s) => busy.has(s.from));
      const ratings = surveys.map((s) => s.rating);
      return {
        since: new Date(since).toISOString(),
        answered: Number(answered.n),
        averageTalkSeconds: callsDone.length === 0 ? null : seconds(talkMs / callsDone.length),
        averageWrapUpSeconds: wrapsDone.length === 0 ? null : seconds(wrapMs / wrapsDone.length),
        notReadySeconds: seconds(sum((s) => s.from === AgentState.NotReady)),
        loggedInSeconds: seconds(loggedInMs),
        utilisation: loggedInMs === 0 ? null : Math.min(1, busyMs / loggedInMs),
        satisfaction: {
          ratings: ratings.length,
          satisfiedRate: ratings.length === 0 ? null : ratings.filter((r) => r <= 2).length / ratings.length,
          averageRating:
            ratings.length === 0
              ? null
              : Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100,
        },
      };
    },
  );
};
