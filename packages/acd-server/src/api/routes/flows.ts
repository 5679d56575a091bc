import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../../directory/users.js";
import type { FlowDirectory } from "../../flows/directory.js";
import { adminOnly, principalOf } from "../guard.js";
import { errorResponses } from "../schemas.js";

/** The flow document: validated by the ivr-flows schema in the handler, so errors name nodes. */
const definition = z
  .record(z.string(), z.unknown())
  .describe("an IVR flow document (packages/ivr-flows schema); id and version are set by the server");
const flowId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    "1–64 lower-case letters, digits and -, starting with a letter or digit",
  );
const dialled = z
  .string()
  .regex(/^\+?[0-9*#]{1,32}$/, "a dialled number: digits, * and #, optional leading +");
const flowParams = z.object({ id: flowId });
const versionParams = z.object({ id: flowId, version: z.coerce.number().int().min(1) });
const issue = z.object({ path: z.string(), message: z.string() });

const summaryFields = {
  id: z.string(),
  name: z.string(),
  description: z.string(),
  numbers: z.array(z.string()),
  publishedVersion: z.number().nullable(),
  publishedAt: z.string().nullable(),
  publishedBy: z.string().nullable(),
  latestVersion: z.number().nullable(),
  updatedAt: z.string(),
};
const versionInfo = z.object({
  version: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  comment: z.string(),
});
const flowSummary = z.object(summaryFields).meta({ id: "FlowSummary" });
const flowDetail = z.object({ ...summaryFields, versions: z.array(versionInfo) }).meta({ id: "Flow" });
const flowVersion = versionInfo.extend({ flowId: z.string(), definition }).meta({ id: "FlowVersion" });
const flowCheck = z
  .object({ valid: z.boolean(), errors: z.array(issue), warnings: z.array(issue) })
  .meta({ id: "FlowCheck" });

function actorOf(req: FastifyRequest): Actor {
  return { userId: principalOf(req).userId, sourceIp: req.ip };
}

/**
 * IVR flows (admin): flows with the numbers they answer, immutable versions, publish and
 * rollback. Every change is audited. A document that does not validate is refused with
 * HOTLINE_ERR_FLOW_INVALID and `details.errors` naming each bad node; nothing is stored.
 */
export const flowRoutes: FastifyPluginAsyncZod<{ flows: FlowDirectory }> = async (app, { flows }) => {
  const repo = flows.repository;

  app.get(
    "/api/flows",
    {
      config: { roles: adminOnly },
      schema: { tags: ["flows"], response: { 200: z.array(flowSummary), ...errorResponses } },
    },
    async () => repo.list(),
  );

  app.post(
    "/api/flows",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "Create a flow (no version yet: add one, then publish it)",
        body: z
          .object({
            id: flowId,
            name: z.string().min(1).max(200),
            description: z.string().max(2000).optional(),
            numbers: z.array(dialled).max(50).optional(),
          })
          .strict(),
        response: { 201: flowDetail, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await repo.create(req.body, actorOf(req))),
  );

  app.post(
    "/api/flows/validate",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "Check a flow document without storing it",
        body: z.object({ definition }).strict(),
        response: { 200: flowCheck, ...errorResponses },
      },
    },
    async (req) => repo.check(req.body.definition),
  );

  app.get(
    "/api/flows/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "A flow and its versions, newest first",
        params: flowParams,
        response: { 200: flowDetail, ...errorResponses },
      },
    },
    async (req) => repo.get(req.params.id),
  );

  app.patch(
    "/api/flows/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "Rename a flow or change the numbers it answers",
        params: flowParams,
        body: z
          .object({
            name: z.string().min(1).max(200),
            description: z.string().max(2000),
            numbers: z.array(dialled).max(50),
          })
          .partial()
          .strict(),
        response: { 200: flowDetail, ...errorResponses },
      },
    },
    async (req) => flows.update(req.params.id, req.body, actorOf(req)),
  );

  app.post(
    "/api/flows/:id/versions",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "Add a version (validated; not published until you publish it)",
        params: flowParams,
        body: z.object({ definition, comment: z.string().max(500).optional() }).strict(),
        response: { 201: flowVersion.extend({ warnings: z.array(issue) }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await repo.addVersion(req.params.id, req.body.definition, req.body.comment ?? "", actorOf(req)),
        ),
  );

  app.get(
    "/api/flows/:id/versions/:version",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        params: versionParams,
        response: { 200: flowVersion, ...errorResponses },
      },
    },
    async (req) => repo.version(req.params.id, req.params.version),
  );

  app.post(
    "/api/flows/:id/publish",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["flows"],
        summary: "Publish a version: new calls to the flow's numbers run it (an older one = rollback)",
        params: flowParams,
        body: z.object({ version: z.number().int().min(1) }).strict(),
        response: { 200: flowDetail, ...errorResponses },
      },
    },
    async (req) => flows.publish(req.params.id, req.body.version, actorOf(req)),
  );
};
