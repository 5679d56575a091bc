import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { z } from "zod";
import type { SessionService } from "../auth/sessions.js";
import type { TokenService } from "../auth/tokens.js";
import type { CallCenter } from "../calls/call-center.js";
import { demoBusinessPage } from "../demo/business-page.js";
import { FlowDirectory } from "../flows/directory.js";
import type { Metrics } from "../metrics.js";
import type { AcdRuntime } from "../routing/runtime.js";
import { TrunkRepository } from "../trunks/repository.js";
import { WebhookRepository } from "../webhooks/repository.js";
import { installErrorHandler } from "./error-handler.js";
import { installGuard } from "./guard.js";
import { agentRoutes } from "./routes/agents.js";
import { type AlarmRouteDeps, alarmRoutes } from "./routes/alarms.js";
import { authRoutes } from "./routes/auth.js";
import { callRoutes } from "./routes/calls.js";
import { type DirectoryDeps, directoryRoutes } from "./routes/directory.js";
import { flowRoutes } from "./routes/flows.js";
import { historyRoutes } from "./routes/history.js";
import { type TrunkRouteDeps, trunkRoutes } from "./routes/trunks.js";
import { type WebhookRouteDeps, webhookRoutes } from "./routes/webhooks.js";
import { serveWebApp } from "./web.js";

export interface AppDeps extends DirectoryDeps {
  log: Logger;
  tokens: TokenService;
  sessions: SessionService;
  metrics: Metrics;
  version: string;
  runtime: AcdRuntime;
  /** The built softphone to serve at `/` (its dist folder); unset = none. */
  webDir?: string | undefined;
  /** Stored IVR flows; the server shares its instance with the call sessions (cache). */
  flows?: FlowDirectory | undefined;
  /** Serve the demo's stand-in business page (the demo queue's screen pop opens it). */
  demoPages?: boolean | undefined;
  /** Live calls for call control; late-bound because the engine starts after the API. */
  calls?: (() => CallCenter | undefined) | undefined;
  /** Trunks with live status (the engine's trunk manager); table only when absent. */
  trunks?: TrunkRouteDeps | undefined;
  /** The active alarms; none when absent. */
  alarms?: AlarmRouteDeps | undefined;
  webhooks?: WebhookRouteDeps | undefined;
}

/**
 * The HTTP application: REST API with OpenAPI at /docs, health, readiness and metrics.
 * Built without listening, so tests drive it with inject().
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    trustProxy: false,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "hotline12345 API",
        version: deps.version,
        description: "12345 government service hotline call center",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  // The swagger-ui plugin adds its own routes; they are public.
  installGuard(app, deps.tokens);

  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    deps.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        tags: ["ops"],
        summary: "Liveness",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        tags: ["ops"],
        summary: "Readiness: the store answers",
        response: {
          200: z.object({ status: z.literal("ready"), store: z.string() }),
          503: z.object({ code: z.string(), message: z.string() }),
        },
      },
    },
    async (_req, reply) => {
      if (await deps.store.ping()) return { status: "ready" as const, store: deps.store.kind };
      return reply.status(503).send({ code: "HOTLINE_ERR_NOT_READY", message: "the store does not answer" });
    },
  );
  app.get(
    "/metrics",
    { config: { public: true }, schema: { tags: ["ops"], summary: "Prometheus metrics", hide: false } },
    async (_req, reply) => {
      void reply.header("content-type", deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );

  await app.register(authRoutes, { sessions: deps.sessions });
  await app.register(directoryRoutes, { ...deps, onRoutingChange: () => deps.runtime.reload() });
  await app.register(agentRoutes, { runtime: deps.runtime, store: deps.store });
  await app.register(historyRoutes, { store: deps.store, runtime: deps.runtime });
  await app.register(callRoutes, { calls: deps.calls ?? (() => undefined) });
  await app.register(flowRoutes, { flows: deps.flows ?? new FlowDirectory(deps.store, { log: deps.log }) });
  await app.register(trunkRoutes, deps.trunks ?? { repository: new TrunkRepository(deps.store) });
  await app.register(alarmRoutes, deps.alarms ?? { active: () => [] });
  await app.register(webhookRoutes, deps.webhooks ?? { repository: new WebhookRepository(deps.store) });
  if (deps.demoPages) await demoBusinessPage(app);
  if (deps.webDir) await serveWebApp(app, deps.webDir);
  return app;
}
