import type { ClientToServerEvents, ServerToClientEvents } from "@hotline12345/acd-server/events";
import { io, type Socket } from "socket.io-client";
import type { ApiClient } from "../api/client.js";
import { toApiError } from "../api/errors.js";

export type EventsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LinkStatus = "connecting" | "online" | "offline" | "signed-out";

export interface EventsOptions {
  api: ApiClient;
  /** Origin of the server; "" = this page's origin. */
  url?: string;
  /**
   * Called after every (re)connect, before live events are trusted: the page re-fetches what it
   * shows (agent state, queue stats …) so it never keeps a state the server no longer holds
   * after a gap in which pushes were lost.
   */
  resync: () => Promise<void> | void;
  onStatus?: (status: LinkStatus) => void;
}

export interface EventsConnection {
  readonly socket: EventsSocket;
  /** Subscribe to a server event; returns the unsubscribe function. */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void;
  /** Idempotent. */
  close(): void;
}

/**
 * socket.io with the same session as the REST client. The handshake reads the token at each
 * attempt, so a reconnect after a refresh uses the new one. A handshake refused for an expired
 * token is retried once after a silent refresh; socket.io does not retry a refused handshake
 * by itself (middleware errors end the attempt), so we reconnect explicitly.
 */
export function connectEvents(opts: EventsOptions): EventsConnection {
  const { api } = opts;
  let closed = false;
  const setStatus = (s: LinkStatus) => {
    if (!closed) opts.onStatus?.(s);
  };
  const socket: EventsSocket = io(opts.url ?? "", {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    auth: (cb) => cb({ token: api.store.get()?.accessToken ?? "" }),
  });

  setStatus("connecting");
  socket.on("connect", () => {
    setStatus("online");
    Promise.resolve()
      .then(() => opts.resync())
      .catch((err: unknown) => console.warn("resync failed", toApiError(err)));
  });
  socket.on("disconnect", (reason) => {
    setStatus("offline");
    // "io server disconnect": the server closed us on purpose; socket.io will not reconnect by
    // itself in that case. Try again (with a fresh token) unless we are closing.
    // `active` is false exactly when socket.io has given up on its own; never open a second try.
    if (reason === "io server disconnect" && !closed && !socket.active) socket.connect();
  });
  socket.on("connect_error", (err: Error & { data?: { code?: string } }) => {
    if (closed) return;
    const code = err.data?.code;
    if (code === "HOTLINE_ERR_TOKEN_EXPIRED") {
      api.refresh().then(
        () => {
          if (!closed) socket.connect();
        },
        () => setStatus("signed-out"),
      );
    } else if (code === "HOTLINE_ERR_TOKEN_INVALID" || code === "HOTLINE_ERR_UNAUTHENTICATED") {
      setStatus("signed-out");
    } else {
      setStatus("offline");
    }
  });

  return {
    socket,
    on(event, listener) {
      // socket.io's typed emitter overloads do not narrow on a generic key; the cast is sound
      // because the listener's type is tied to `event` by the signature above.
      const s = socket as unknown as {
        on(e: string, l: (...args: never[]) => void): void;
        off(e: string, l: (...args: never[]) => void): void;
      };
      s.on(event, listener);
      return () => s.off(event, listener);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}
