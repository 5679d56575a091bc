import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The browser app's pages: each is the same index.html; the app routes by path. */
const pages = ["/", "/supervisor", "/wallboard", "/admin", "/login"];

/**
 * Serves the built softphone (agent desk, supervisor board, wall screen, admin pages) from
 * `dir`. Without a build there is nothing to serve, and `/` says how to make one.
 */
export async function serveWebApp(app: FastifyInstance, dir: string): Promise<boolean> {
  const index = join(dir, "index.html");
  if (!existsSync(index)) {
    app.get("/", { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type("text/plain; charset=utf-8")
        .send(
          "hotline12345 acd-server: the softphone is not built (pnpm --filter @hotline12345/agent-softphone build). API docs: /docs\n",
        ),
    );
    return false;
  }
  await app.register(fastifyStatic, {
    root: join(dir, "assets"),
    prefix: "/assets/",
    // File names carry their content hash: cache them for a year. index.html is never cached.
    immutable: true,
    maxAge: "365d",
    index: false,
  });
  for (const page of pages) {
    app.get(page, { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.header("cache-control", "no-cache").sendFile("index.html", dir, { cacheControl: false }),
    );
  }
  return true;
}
