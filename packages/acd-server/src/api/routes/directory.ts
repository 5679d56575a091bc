import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CalendarDirectory } from "../../directory/calendars.js";
import type { ListDirectory } from "../../directory/lists.js";
import type { QueueDirectory } from "../../directory/queues.js";
import type { Actor, UserDirectory } from "../../directory/users.js";
import type { Store } from "../../store/store.js";
import { adminOnly, anyRole, principalOf, staff } from "../guard.js";
import { errorResponses, idParams, phonePattern, role, slug, userId, userIdParams } from "../schemas.js";

export interface DirectoryDeps {
  /** Called after a change to users, skills or queues, so live routing follows it. */
  onRoutingChange?: () => Promise<void>;
  users: UserDirectory;
  queues: QueueDirectory;
  lists: ListDirectory;
  calendars: CalendarDirectory;
  store: Store;
}

function actorOf(req: FastifyRequest): Actor {
  return { userId: principalOf(req).userId, sourceIp: req.ip };
}

const skillLevel = z.number().int().min(1).max(10);
const userView = z
  .object({
    id: z.string(),
    displayName: z.string(),
    role,
    languages: z.array(z.string()),
    enabled: z.boolean(),
    skills: z.array(z.object({ skillId: z.string(), level: z.number() })),
  })
  .meta({ id: "User" });
const userFields = {
  displayName: z.string().min(1).max(100),
  role,
  password: z.string().min(8, "at least 8 characters").max(200),
  languages: z.array(z.enum(["zh", "en", "csl"])).max(5),
  enabled: z.boolean(),
  skills: z.array(z.object({ skillId: slug, level: skillLevel }).strict()).max(50),
};

const skillView = z
  .object({ id: slug, name: z.string().min(1).max(100), description: z.string().max(500) })
  .meta({ id: "Skill" });

const queueFields = {
  name: z.string().min(1).max(100),
  strategy: z.enum(["longest-idle", "skill-level-longest-idle", "round-robin", "ring-all"]),
  ringTimeoutSeconds: z.number().int().min(5).max(120),
  maxWaitSeconds: z.number().int().min(10).max(7200),
  maxSize: z.number().int().min(1).max(10_000),
  overflowTarget: z
    .string()
    .regex(/^(queue:[a-z0-9-]+|voicemail|callback)$/, "queue:<id>, voicemail or callback")
    .nullable(),
  announceIntervalSeconds: z.number().int().min(10).max(600),
  serviceLevelSeconds: z.number().int().min(1).max(600),
  wrapUpSeconds: z.number().int().min(0).max(1800),
  calendarId: slug.nullable(),
  screenPopUrl: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:/i.test(u), "an http(s) URL template: {callId}, {caller}, {data.<key>}")
    .nullable(),
  screenPopMode: z.enum(["iframe", "tab"]).describe("beside the call in the desk, or a new browser tab"),
  screenPopWhen: z.enum(["answered", "offered"]).describe("open on answer, or already when the call rings"),
  voiceStreamUrl: z
    .string()
    .max(2000)
    .regex(/^wss?:\/\/[^\s]+$/, "a ws:// or wss:// URL")
    .nullable()
    .describe("answered calls' live audio (caller left, agent right) is streamed here"),
  skills: z.array(z.object({ skillId: slug, minLevel: skillLevel }).strict()).max(20),
  members: z.array(userId).max(500),
};
const queueView = z
  .object({
    id: z.string(),
    ...queueFields,
    members: z.array(z.string()),
    skills: z.array(z.object({ skillId: z.string(), minLevel: z.number() })),
  })
  .meta({ id: "Queue" });

const listName = z.enum(["black", "white", "priority"]);
const listEntryView = z
  .object({
    id: z.string(),
    list: listName,
    pattern: z.string(),
    match: z.enum(["exact", "prefix"]),
    action: z.string().nullable(),
    priority: z.number().nullable(),
    reason: z.string(),
    expiresAt: z.string().nullable(),
    addedBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: "ListEntry" });

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, "HH:MM");
const dayHours = z.array(z.tuple([hhmm, hhmm])).max(6);
const calendarView = z
  .object({
    id: slug,
    name: z.string().min(1).max(100),
    timeZone: z.string().min(1).max(64),
    weekly: z
      .object({
        mon: dayHours,
        tue: dayHours,
        wed: dayHours,
        thu: dayHours,
        fri: dayHours,
        sat: dayHours,
        sun: dayHours,
      })
      .strict(),
    days: z
      .array(
        z
          .object({
            day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD"),
            kind: z.enum(["holiday", "workday", "closed"]),
            name: z.string().max(100),
          })
          .strict(),
      )
      .max(2000),
  })
  .meta({ id: "Calendar" });

const routingPaths = /^\/api\/(users|skills|queues)(\/|$)/;

export const directoryRoutes: FastifyPluginAsyncZod<DirectoryDeps> = async (app, deps) => {
  // A successful change to who can take which calls reaches the ACD before the answer goes out.
  app.addHook("onSend", async (req, reply, payload) => {
    if (
      req.method !== "GET" &&
      reply.statusCode < 300 &&
      routingPaths.test(req.url) &&
      deps.onRoutingChange
    ) {
      await deps.onRoutingChange();
    }
    return payload;
  });

  // Users
  app.get(
    "/api/users",
    {
      config: { roles: staff },
      schema: { tags: ["users"], response: { 200: z.array(userView), ...errorResponses } },
    },
    async () => deps.users.list(),
  );
  app.get(
    "/api/users/:id",
    {
      config: { roles: staff },
      schema: { tags: ["users"], params: userIdParams, response: { 200: userView, ...errorResponses } },
    },
    async (req) => deps.users.get(req.params.id),
  );
  app.post(
    "/api/users",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["users"],
        body: z
          .object({
            id: userId,
            ...userFields,
            languages: userFields.languages.optional(),
            enabled: userFields.enabled.optional(),
            skills: userFields.skills.optional(),
          })
          .strict(),
        response: { 201: userView, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await deps.users.create(req.body, actorOf(req))),
  );
  app.patch(
    "/api/users/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["users"],
        params: userIdParams,
        body: z.object(userFields).partial().strict(),
        response: { 200: userView, ...errorResponses },
      },
    },
    async (req) => deps.users.update(req.params.id, req.body, actorOf(req)),
  );
  app.delete(
    "/api/users/:id",
    {
      config: { roles: adminOnly },
      schema: { tags: ["users"], params: userIdParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.users.remove(req.params.id, actorOf(req));
      return reply.status(204).send(null);
    },
  );

  // Skills
  app.get(
    "/api/skills",
    {
      config: { roles: anyRole },
      schema: { tags: ["skills"], response: { 200: z.array(skillView), ...errorResponses } },
    },
    async () => deps.queues.listSkills(),
  );
  app.put(
    "/api/skills/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["skills"],
        params: idParams,
        body: skillView.omit({ id: true }).strict(),
        response: { 200: skillView, ...errorResponses },
      },
    },
    async (req) => deps.queues.putSkill({ id: req.params.id, ...req.body }, actorOf(req)),
  );
  app.delete(
    "/api/skills/:id",
    {
      config: { roles: adminOnly },
      schema: { tags: ["skills"], params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.queues.removeSkill(req.params.id, actorOf(req));
      return reply.status(204).send(null);
    },
  );

  // Queues
  app.get(
    "/api/queues",
    {
      config: { roles: anyRole },
      schema: { tags: ["queues"], response: { 200: z.array(queueView), ...errorResponses } },
    },
    async () => deps.queues.list(),
  );
  app.get(
    "/api/queues/:id",
    {
      config: { roles: anyRole },
      schema: { tags: ["queues"], params: idParams, response: { 200: queueView, ...errorResponses } },
    },
    async (req) => deps.queues.get(req.params.id),
  );
  app.post(
    "/api/queues",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["queues"],
        body: z
          .object({ id: slug, ...queueFields })
          .partial()
          .required({ id: true, name: true })
          .strict(),
        response: { 201: queueView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const q = await deps.queues.create(
        {
          strategy: "longest-idle",
          ringTimeoutSeconds: 20,
          maxWaitSeconds: 600,
          maxSize: 200,
          overflowTarget: null,
          announceIntervalSeconds: 30,
          serviceLevelSeconds: 15,
          wrapUpSeconds: 30,
          calendarId: null,
          screenPopUrl: null,
          screenPopMode: "iframe",
          screenPopWhen: "answered",
          voiceStreamUrl: null,
          ...b,
        },
        actorOf(req),
      );
      return reply.status(201).send(q);
    },
  );
  app.patch(
    "/api/queues/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["queues"],
        params: idParams,
        body: z.object(queueFields).partial().strict(),
        response: { 200: queueView, ...errorResponses },
      },
    },
    async (req) => deps.queues.update(req.params.id, req.body, actorOf(req)),
  );
  app.delete(
    "/api/queues/:id",
    {
      config: { roles: adminOnly },
      schema: { tags: ["queues"], params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.queues.remove(req.params.id, actorOf(req));
      return reply.status(204).send(null);
    },
  );

  // Black, white and priority lists
  app.get(
    "/api/lists",
    {
      config: { roles: staff },
      schema: {
        tags: ["lists"],
        querystring: z.object({ list: listName.optional() }).strict(),
        response: { 200: z.array(listEntryView), ...errorResponses },
      },
    },
    async (req) => deps.lists.list(req.query.list),
  );
  app.post(
    "/api/lists",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["lists"],
        body: z
          .object({
            list: listName,
            pattern: phonePattern,
            match: z.enum(["exact", "prefix"]).default("exact"),
            action: z
              .string()
              .regex(/^(reject|notice|queue:[a-z0-9-]+)$/, "reject, notice or queue:<id>")
              .nullable()
              .optional(),
            priority: z.number().int().min(1).max(9).nullable().optional(),
            reason: z.string().max(500).default(""),
            expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
          })
          .strict(),
        response: { 201: listEntryView, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await deps.lists.add(req.body, actorOf(req))),
  );
  app.delete(
    "/api/lists/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["lists"],
        params: z.object({ id: z.string().regex(/^\d{1,18}$/) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deps.lists.remove(req.params.id, actorOf(req));
      return reply.status(204).send(null);
    },
  );

  // Calendars
  app.get(
    "/api/calendars",
    {
      config: { roles: anyRole },
      schema: { tags: ["calendars"], response: { 200: z.array(calendarView), ...errorResponses } },
    },
    async () => deps.calendars.list(),
  );
  app.get(
    "/api/calendars/:id",
    {
      config: { roles: anyRole },
      schema: { tags: ["calendars"], params: idParams, response: { 200: calendarView, ...errorResponses } },
    },
    async (req) => deps.calendars.get(req.params.id),
  );
  app.put(
    "/api/calendars/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["calendars"],
        params: idParams,
        body: calendarView.omit({ id: true }).strict(),
        response: { 200: calendarView, ...errorResponses },
      },
    },
    async (req) => deps.calendars.put({ id: req.params.id, ...req.body }, actorOf(req)),
  );

  // Audit log
  app.get(
    "/api/audit",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["audit"],
        querystring: z
          .object({
            entity: z.string().max(50).optional(),
            entityId: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              at: z.string(),
              actor: z.string(),
              action: z.string(),
              entity: z.string(),
              entityId: z.string(),
              before: z.unknown(),
              after: z.unknown(),
              sourceIp: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      let q = deps.store.db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(req.query.limit);
      if (req.query.entity) q = q.where("entity", "=", req.query.entity);
      if (req.query.entityId) q = q.where("entity_id", "=", req.query.entityId);
      return (await q.execute()).map((r) => ({
        id: String(r.id),
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        before: r.before,
        after: r.after,
        sourceIp: r.source_ip,
      }));
    },
  );
};
