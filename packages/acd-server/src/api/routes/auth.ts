import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { SessionService } from "../../auth/sessions.js";
import { anyRole, principalOf } from "../guard.js";
import { errorResponses, role, userId } from "../schemas.js";

const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().describe("seconds until the access token expires"),
});
const principal = z.object({ userId: z.string(), role, displayName: z.string() });

export const authRoutes: FastifyPluginAsyncZod<{ sessions: SessionService }> = async (app, { sessions }) => {
  app.post(
    "/api/auth/login",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "Log in with user id and password; returns an access token and a refresh token",
        body: z.object({ userId, password: z.string().min(1).max(200) }).strict(),
        response: { 200: tokenPair.extend({ user: principal }), ...errorResponses },
      },
    },
    async (req) => sessions.login(req.body.userId, req.body.password, req.ip),
  );

  app.post(
    "/api/auth/refresh",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "Trade a refresh token for a new pair (the old refresh token stops working)",
        body: z.object({ refreshToken: z.string().min(1) }).strict(),
        response: { 200: tokenPair, ...errorResponses },
      },
    },
    async (req) => sessions.refresh(req.body.refreshToken, req.ip),
  );

  app.post(
    "/api/auth/logout",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "End the session a refresh token belongs to",
        body: z.object({ refreshToken: z.string().min(1) }).strict(),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await sessions.logout(req.body.refreshToken);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/me",
    {
      config: { roles: anyRole },
      schema: {
        tags: ["auth"],
        summary: "Who the token belongs to",
        response: { 200: principal, ...errorResponses },
      },
    },
    async (req) => principalOf(req),
  );
};
