import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../../directory/users.js";
import type { TrunkStatus } from "../../trunks/manager.js";
import type { TrunkRepository, TrunkView } from "../../trunks/repository.js";
import { adminOnly, principalOf, staff } from "../guard.js";
import { errorResponses, idParams, slug } from "../schemas.js";

export interface TrunkRouteDeps {
  repository: TrunkRepository;
  /** Live health and channels; absent when no engine runs (tests, SIP off). */
  status?: () => TrunkStatus[];
  /** Resolves once the last change is in force (probes restarted, addresses reloaded). */
  settled?: () => Promise<void>;
}

function actorOf(req: FastifyRequest): Actor {
  return { userId: principalOf(req).userId, sourceIp: req.ip };
}

/** A DNS name or an IPv4/IPv6 address (no scheme, no port). */
const host = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\[?[0-9A-Fa-f:.]+\]?|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/,
    "a host name or an IP address, without scheme or port",
  );
const trunkFields = {
  name: z.string().min(1).max(100),
  host,
  port: z.number().int().min(1).max(65535),
  transport: z.enum(["udp", "tcp", "tls"]),
  username: z
    .string()
    .regex(/^[^\s:@]{1,64}$/, "1–64 characters, no spaces, ':' or '@'")
    .nullable(),
  password: z.string().min(1).max(200).nullable(),
  inboundAddresses: z.array(z.union([z.ipv4(), z.ipv6()])).max(50),
  prefixes: z
    .array(z.string().regex(/^\+?[0-9]{0,20}$/, "digits, optionally with a leading +; empty = any number"))
    .max(200),
  channelLimit: z.number().int().min(0).max(10_000),
  enabled: z.boolean(),
  optionsIntervalSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .describe("seconds between OPTIONS probes; 0 = not probed"),
};
const trunkView = z
  .object({
    id: z.string(),
    name: z.string(),
    host: z.string(),
    port: z.number(),
    transport: z.enum(["udp", "tcp", "tls"]),
    username: z.string().nullable(),
    hasPassword: z.boolean(),
    inboundAddresses: z.array(z.string()),
    prefixes: z.array(z.string()),
    channelLimit: z.number(),
    enabled: z.boolean(),
    optionsIntervalSeconds: z.number(),
    status: z
      .object({ health: z.enum(["up", "down"]), probed: z.boolean(), channels: z.number() })
      .nullable()
      .describe("live health and channels in use; null while no engine runs or the trunk is disabled"),
  })
  .meta({ id: "Trunk" });

/** Admin CRUD of SIP trunks; each change is audited and applied at once (probes, addresses). */
export const trunkRoutes: FastifyPluginAsyncZod<TrunkRouteDeps> = async (app, deps) => {
  const withStatus = (t: TrunkView) => {
    const s = deps.status?.().find((x) => x.id === t.id);
    return {
      ...t,
      status: s && t.enabled ? { health: s.health, probed: s.probed, channels: s.channels } : null,
    };
  };
  // A change answers once it is in force, so the next call already goes by it.
  const applied = async (t: TrunkView) => {
    await deps.settled?.();
    return withStatus(t);
  };

  app.get(
    "/api/trunks",
    {
      config: { roles: staff },
      schema: { tags: ["trunks"], response: { 200: z.array(trunkView), ...errorResponses } },
    },
    async () => (await deps.repository.list()).map(withStatus),
  );
  app.get(
    "/api/trunks/:id",
    {
      config: { roles: staff },
      schema: { tags: ["trunks"], params: idParams, response: { 200: trunkView, ...errorResponses } },
    },
    async (req) => withStatus(await deps.repository.get(req.params.id)),
  );
  app.post(
    "/api/trunks",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["trunks"],
        body: z
          .object({ id: slug, ...trunkFields })
          .partial()
          .required({ id: true, name: true, host: true })
          .strict(),
        response: { 201: trunkView, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await applied(await deps.repository.create(req.body, actorOf(req)))),
  );
  app.patch(
    "/api/trunks/:id",
    {
      config: { roles: adminOnly },
      schema: {
        tags: ["trunks"],
        params: idParams,
        body: z.object(trunkFields).partial().strict(),
        response: { 200: trunkView, ...errorResponses },
      },
    },
    async (req) => applied(await deps.repository.update(req.params.id, req.body, actorOf(req))),
  );
  app.delete(
    "/api/trunks/:id",
    {
      config: { roles: adminOnly },
      schema: { tags: ["trunks"], params: idParams, response: { 204: z.null(), ...errorResponses } },
    },
    async (req, reply) => {
      await deps.repository.remove(req.params.id, actorOf(req));
      await deps.settled?.();
      return reply.status(204).send(null);
    },
  );
};
