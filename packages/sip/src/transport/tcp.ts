/**
 * TCP and TLS adapter: Content-Length framing (RFC 3261 §18.3), responses back over the connection
 * the request came in on (§18.2.2), connections reused for requests to the same peer (§18.1.1),
 * CRLF keep-alive pings answered with a pong (RFC 5626 §3.5.1).
 */
import { createServer, isIP, connect as netConnect, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions, connect as tlsConnect } from "node:tls";
import { type ParseLimits, SipStreamFramer } from "../parser.js";
import type { Endpoint, Transport, TransportEvents } from "./types.js";

export interface TcpOptions {
  address?: string;
  port?: number;
  /** Given: listen for TLS (SIP over TLS, "sips"), else plain TCP. */
  tls?: TlsOptions;
  limits?: ParseLimits;
  /**
   * Close a connection that carried nothing (not even a CRLF keep-alive) for this long. Clients
   * keep flows open with RFC 5626 keep-alives well inside it; half-open and idle sockets go.
   * Default 10 minutes.
   */
  idleTimeoutMs?: number;
}

let nextId = 1;

export class TcpTransport implements Transport {
  readonly reliable = true;
  readonly protocol: "tcp" | "tls";
  local = { address: "", port: 0 };
  private events: TransportEvents | undefined;
  private readonly conns = new Map<string, Socket>();
  private readonly byPeer = new Map<string, string>();
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly opts: TcpOptions,
  ) {
    this.protocol = opts.tls ? "tls" : "tcp";
  }

  static async listen(opts: TcpOptions = {}): Promise<TcpTransport> {
    let t: TcpTransport | undefined;
    const onConn = (s: Socket) => t?.adopt(s);
    const server = opts.tls ? createTlsServer(opts.tls, onConn) : createServer(onConn);
    t = new TcpTransport(server, opts);
    const tt = t;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.address ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const a = server.address();
    if (a && typeof a === "object") tt.local = { address: a.address, port: a.port };
    return tt;
  }

  setHandler(events: TransportEvents): void {
    this.events = events;
  }

  /** Number of open connections (tests assert none leak). */
  get connections(): number {
    return this.conns.size;
  }

  private adopt(sock: Socket, peerKey?: string): string {
    const id = `${this.protocol}-${nextId++}`;
    this.conns.set(id, sock);
    const key = peerKey ?? `${sock.remoteAddress}:${sock.remotePort}`;
    this.byPeer.set(key, id);
    const framer = new SipStreamFramer(this.opts.limits);
    sock.setNoDelay(true);
    sock.setTimeout(this.opts.idleTimeoutMs ?? 600_000, () => sock.destroy());
    // Messages cut from one chunk are handed up one per macrotask: a handler awaiting a promise
    // settled by message N (e.g. an ACK) then runs before message N+1 (a re-INVITE) is processed,
    // as it would if they had arrived in separate segments.
    const queue: Endpoint[] = [];
    const items: Buffer[] = [];
    let draining = false;
    const drain = () => {
      const data = items.shift();
      const src = queue.shift();
      if (data === undefined || src === undefined) {
        draining = false;
        return;
      }
      this.events?.message(data, src);
      setImmediate(drain);
    };
    sock.on("data", (chunk: Buffer) => {
      for (const item of framer.push(chunk)) {
        const src: Endpoint = {
          protocol: this.protocol,
          address: sock.remoteAddress ?? "",
          port: sock.remotePort ?? 0,
          connectionId: id,
        };
        if (item.kind === "ping") sock.write("\r\n");
        else if (item.kind === "message") {
          items.push(item.data);
          queue.push(src);
        } else {
          this.events?.framingError(src, item.error.reason);
          sock.destroy();
        }
      }
      if (!draining && items.length > 0) {
        draining = true;
        drain();
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      this.conns.delete(id);
      if (this.byPeer.get(key) === id) this.byPeer.delete(key);
      this.events?.connectionClosed(id);
    });
    return id;
  }

  send(data: Buffer, dest: Endpoint): boolean {
    if (this.closed) return false;
    if (dest.connectionId !== undefined) {
      const s = this.conns.get(dest.connectionId);
      if (s && !s.destroyed) {
        s.write(data);
        return true;
      }
    }
    const key = `${dest.address}:${dest.port}`;
    const existing = this.byPeer.get(key);
    const s0 = existing === undefined ? undefined : this.conns.get(existing);
    if (s0 && !s0.destroyed) {
      s0.write(data);
      return true;
    }
    // No connection to that peer yet: open one (§18.1.1) and queue the write until it is up.
    // Outgoing TLS verifies the peer's certificate (and name) unless told otherwise: a trunk we
    // cannot authenticate must not get our credentials. `tls.ca` adds trust anchors.
    const sock = this.opts.tls
      ? tlsConnect({
          host: dest.address,
          port: dest.port,
          ca: this.opts.tls.ca,
          rejectUnauthorized: this.opts.tls.rejectUnauthorized ?? true,
          ...(isIP(dest.address) ? {} : { servername: dest.address }),
        })
      : netConnect({ host: dest.address, port: dest.port });
    this.adopt(sock, key);
    let up = false;
    sock.once(this.opts.tls ? "secureConnect" : "connect", () => {
      up = true;
    });
    sock.once("close", () => {
      if (!up) this.events?.sendFailed({ protocol: this.protocol, address: dest.address, port: dest.port });
    });
    sock.write(data);
    return true;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      for (const s of this.conns.values()) s.destroy();
      this.server.close(() => resolve());
    });
    return this.closed;
  }
}
