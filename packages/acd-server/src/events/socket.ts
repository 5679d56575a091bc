import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Server } from "socket.io";
import type { TokenService } from "../auth/tokens.js";
import { HotlineError } from "../errors.js";
import type { Store } from "../store/store.js";
import { type ClientToServerEvents, rooms, type ServerToClientEvents, type SocketData } from "./catalogue.js";

export type EventServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/**
 * socket.io on the HTTP server, authenticated with the same access token as the REST API
 * (`auth: { token }` in the handshake). Each socket joins its rooms at connect.
 */
export function attachEventServer(
  http: HttpServer,
  deps: { tokens: TokenService; store: Store; log: Logger },
): EventServer {
  const io: EventServer = new Server(http, {
    path: "/socket.io",
    serveClient: false,
    // Agents on home networks: detect a dead link within ~25 s.
    pingInterval: 10_000,
    pingTimeout: 15_000,
  });

  io.use(async (socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== "string" || token.length === 0) {
      next(
        Object.assign(new Error("HOTLINE_ERR_UNAUTHENTICATED"), {
          data: { code: "HOTLINE_ERR_UNAUTHENTICATED" },
        }),
      );
      return;
    }
    try {
      const p = await deps.tokens.verifyAccess(token);
      socket.data = { userId: p.userId, role: p.role, displayName: p.displayName };
      next();
    } catch (err) {
      const code = err instanceof HotlineError ? err.code : "HOTLINE_ERR_TOKEN_INVALID";
      next(Object.assign(new Error(code), { data: { code } }));
    }
  });

  io.on("connection", async (socket) => {
    const { userId, role, displayName } = socket.data;
    const joined = [rooms.agent(userId)];
    if (role === "supervisor" || role === "admin") joined.push(rooms.supervisors);
    try {
      const memberships = await deps.store.db
        .selectFrom("queue_members")
        .select("queue_id")
        .where("user_id", "=", userId)
        .execute();
      for (const m of memberships) joined.push(rooms.queue(m.queue_id));
    } catch (err) {
      deps.log.warn({ err, userId }, "could not load queue rooms");
    }
    await socket.join(joined);
    socket.emit("hello", { userId, role, displayName, rooms: joined, serverTime: new Date().toISOString() });
    socket.on("ping", (ack) => {
      if (typeof ack === "function") ack({ ok: true, data: { serverTime: new Date().toISOString() } });
    });
  });
  return io;
}
