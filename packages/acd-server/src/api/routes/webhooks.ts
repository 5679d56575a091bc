import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../../directory/users.js";
import type { WebhookRepository } from "../../webhooks/repository.js";
import { webhookEvents } from "../../webhooks/webhooks.js";
import { adminOnly, principalOf } from "../guard.js";
import { errorResponses, idParams, slug } from "../schemas.js";

export interface WebhookRouteDeps {
  repository: WebhookRepository;
}

function actorOf(req: FastifyRequest): Actor {
  return { userId: principalOf(req).userId, sourceIp: req.ip };
}

const fields = {
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe("where deliveries are POSTed (http or https)"),
  secret: z
    .string()
    .min(16)
    .max(200)
    .describe("HMAC-SHA256 key; write-only. The receiver checks X-Hotline-Signature with it"),
  events: z.array(z.enum(webhookEvents)).min(1).max(webhookEvents.length),
  enabled: z.boolean(),
};
const webhookView = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(webhookEvents)),
    enabled: z.boolean(),
    hasSecret: z.boolean(),
  })
  .meta({ id: "Webhook" });
const delivery = z
  .object({
    deliveryId: z.string().describe("the id in the delivered body, the same on every retry"),
    event: z.string(),
    attempts: z.number(),
    outcome: z.enum(["delivered", "failed"]),
    lastStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: "WebhookDelivery" });

/** Admin CRUD of the business system's webhook subscriptions, and their recent deliveries. */
export const webhookRoutes: FastifyPluginAsyncZod<WebhookRouteDeps> = async (app, deps) => {
  const tags = ["webhooks"];
  app.get(
    "/api/webhooks",
    {
      config: { roles: adminOnly },
      schema: { tags, response: { 200: z.array(webhookView), ...errorResponses } },
    },
    async () => deps.repository.list(),
  );
  app.get(
    "/api/webhooks/:id",
    {
      config: { roles: adminOnly },
      schema: { tags, params: idParams, response: { 200: webhookView, ...errorResponses } },
    },
    async (req) => deps.repository.get(req.params.id),
  );
  app.get(
    "/api/webhooks/:id/deliveries",
    {
      config: { roles: adminOnly },
      schema: {
        tags,
        summary: "The latest deliveries (newest first), one row per delivery after its last try",
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.array(delivery), ...errorResponses },
      },
    },
    async (req) => deps.repository.deliveries(req.params.id, req.query.limit),
  );
  app.post(
    "/api/webhooks",
    {
      config: { roles: adminOnly },
      schema: {
        tags,
        body: z
          .object({ id: slug, ...fields })
          .partial()
          .required({ id: true, url: true, secret: true, events: true })
          .strict(),
        response: { 201: webhookView, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await deps.repository.create(req.body, actorOf(req))),
  );
  app.patch(
    "/api/webhooks/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags,
        params: idParams,
        body: z.object(fields).partial().strict(),
        response: { 200: webhookView, ...errorResponses },
      },
    },
    async (req) => deps.repository.update(req.params.id, req.body, actorOf(req)),
  );
  app.delete(
    "/api/webhooks/:id",
    {
      config: { roles: adminOnly },
      schema: { tags, params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.repository.remove(req.params.id, actorOf(req));
      return reply.status(204).send(null);
    },
  );
};
