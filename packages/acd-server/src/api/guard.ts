import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal, TokenService } from "../auth/tokens.js";
import { HotlineError } from "../errors.js";
import type { Role } from "../store/tables.js";

/**
 * Every route declares who may call it: `config: { roles: [...] }`, or `config: { public: true }`.
 * A route that declares neither is refused when it is registered, so none can be forgotten.
 */
declare module "fastify" {
  interface FastifyContextConfig {
    roles?: readonly Role[];
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const anyRole: readonly Role[] = ["agent", "supervisor", "admin"];
export const staff: readonly Role[] = ["supervisor", "admin"];
export const adminOnly: readonly Role[] = ["admin"];

/**
 * Paths owned by plugins that are public without a per-route declaration: the OpenAPI page
 * and the softphone's static assets.
 */
const publicPrefixes = ["/docs", "/assets"];

function isPublicPath(url: string): boolean {
  return publicPrefixes.some((p) => url === p || url.startsWith(`${p}/`));
}

export function installGuard(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest("principal", null);
  app.addHook("onRoute", (route) => {
    const config = route.config as { roles?: readonly Role[]; public?: boolean } | undefined;
    // fastify's own HEAD twins of GET routes inherit the GET route's config.
    if (!config?.public && !config?.roles?.length && !isPublicPath(route.url)) {
      throw new Error(`route ${route.method} ${route.url} declares neither roles nor public`);
    }
  });
  app.addHook("onRequest", async (req) => {
    const config = req.routeOptions.config;
    // Unmatched URLs fall through to the 404 handler rather than being refused as forbidden.
    if (config.public || req.is404 || isPublicPath(req.routeOptions.url ?? "")) return;
    req.principal = await authenticate(req, tokens);
    if (!config.roles?.includes(req.principal.role)) {
      throw new HotlineError("HOTLINE_ERR_FORBIDDEN", `role ${req.principal.role} may not do this`);
    }
  });
}

async function authenticate(req: FastifyRequest, tokens: TokenService): Promise<Principal> {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new HotlineError("HOTLINE_ERR_UNAUTHENTICATED");
  return tokens.verifyAccess(match[1]);
}

/** The caller, on a route that is not public. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new HotlineError("HOTLINE_ERR_UNAUTHENTICATED");
  return req.principal;
}
