/**
 * WebSocket adapter (RFC 7118): subprotocol "sip", one SIP message per frame (§5), responses and
 * requests for a browser go back down the connection it opened (§5, §6). Either listens on its own
 * port or attaches to an existing HTTP(S) server at a path (the product serves /sip on 8080).
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { type WebSocket, WebSocketServer } from "ws";
import type { Endpoint, Transport, TransportEvents } from "./types.js";

export interface WsOptions {
  address?: string;
  port?: number;
  /** Attach to this server instead of listening (its upgrade events for `path` are taken). */
  server?: HttpServer | HttpsServer;
  path?: string;
  /** Serve as "wss" (when `server` is an HTTPS server). */
  secure?: boolean;
  maxMessageBytes?: number;
}

let nextId = 1;

export class WsTransport implements Transport {
  readonly reliable = true;
  readonly protocol: "ws" | "wss";
  local = { address: "", port: 0 };
  private events: TransportEvents | undefined;
  private readonly conns = new Map<string, WebSocket>();
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly ownServer: HttpServer | undefined,
    secure: boolean,
  ) {
    this.protocol = secure ? "wss" : "ws";
  }

  static async listen(opts: WsOptions = {}): Promise<WsTransport> {
    const own = opts.server ? undefined : createServer();
    const server = opts.server ?? own!;
    const wss = new WebSocketServer({
      // On a shared server (the HTTP API's, beside socket.io) only upgrades for our path are
      // ours: ws's own `server` option would answer every other path's upgrade with a 400.
      noServer: true,
      maxPayload: opts.maxMessageBytes ?? 65_535,
      // RFC 7118 §4.1: the client offers "sip" in Sec-WebSocket-Protocol; the server must select it.
      handleProtocols: (protocols) => (protocols.has("sip") ? "sip" : false),
    });
    server.on("upgrade", (req, socket, head) => {
      const path = (req.url ?? "/").split("?")[0];
      if (opts.path !== undefined && path !== opts.path) return;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    });
    const t = new WsTransport(wss, own, opts.secure ?? false);
    wss.on("connection", (ws, req) =>
      t.adopt(ws, req.socket.remoteAddress ?? "", req.socket.remotePort ?? 0),
    );
    if (own) {
      await new Promise<void>((resolve, reject) => {
        own.once("error", reject);
        own.listen(opts.port ?? 0, opts.address ?? "127.0.0.1", () => {
          own.off("error", reject);
          resolve();
        });
      });
    }
    // A shared server may start listening after we attach: take its address when it does, or
    // our Via would carry no host (RFC 7118 §5 only asks that it be a valid host).
    const adopt = () => {
      const a = server.address();
      if (a && typeof a === "object") t.local = { address: a.address, port: a.port };
    };
    adopt();
    if (!server.listening) server.once("listening", adopt);
    return t;
  }

  setHandler(events: TransportEvents): void {
    this.events = events;
  }

  get connections(): number {
    return this.conns.size;
  }

  private adopt(ws: WebSocket, address: string, port: number): void {
    // RFC 7118 §4.1: a connection without the "sip" subprotocol is not a SIP one.
    if (ws.protocol !== "sip") {
      ws.close(1002, "subprotocol sip required");
      return;
    }
    const id = `${this.protocol}-${nextId++}`;
    this.conns.set(id, ws);
    // Frames that arrive together are handed up one per macrotask, so a handler awaiting a promise
    // settled by frame N (an ACK) runs before frame N+1 (a BYE) is processed (see tcp.ts).
    const queue: Buffer[] = [];
    let draining = false;
    const src: Endpoint = { protocol: this.protocol, address, port, connectionId: id };
    const drain = () => {
      const data = queue.shift();
      if (data === undefined) {
        draining = false;
        return;
      }
      this.events?.message(data, src);
      setImmediate(drain);
    };
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      // RFC 5626 §3.5.1 keep-alive over a stream: double CRLF ping, single CRLF pong.
      if (buf.toString("latin1") === "\r\n\r\n") {
        ws.send("\r\n");
        return;
      }
      if (/^[\r\n]*$/.test(buf.toString("latin1"))) return;
      queue.push(buf);
      if (!draining) {
        draining = true;
        drain();
      }
    });
    ws.on("error", () => {});
    ws.on("close", () => {
      this.conns.delete(id);
      this.events?.connectionClosed(id);
    });
  }

  send(data: Buffer, dest: Endpoint): boolean {
    if (this.closed || dest.connectionId === undefined) return false;
    const ws = this.conns.get(dest.connectionId);
    if (!ws || ws.readyState !== ws.OPEN) return false;
    // RFC 7118 §5: text frames for UTF-8 messages (all of ours).
    ws.send(data.toString("utf8"));
    return true;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      for (const ws of this.conns.values()) ws.terminate();
      this.wss.close(() => {
        if (this.ownServer) this.ownServer.close(() => resolve());
        else resolve();
      });
    });
    return this.closed;
  }
}
