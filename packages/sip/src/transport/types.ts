/**
 * The one seam between the pure core and sockets. Adapters deliver whole messages (a datagram, a
 * WebSocket frame, or a Content-Length-framed chunk of a stream) and send bytes; they answer CRLF
 * keep-alives themselves (RFC 5626 §3.5.1) and never parse SIP beyond framing.
 */
export type TransportProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

export interface Endpoint {
  protocol: TransportProtocol;
  address: string;
  port: number;
  /** For connection-oriented transports: the connection a message came in on / must go out on. */
  connectionId?: string | undefined;
}

export interface TransportEvents {
  message(data: Buffer, source: Endpoint): void;
  /** A connection closed: the stack drops registrations bound to it and fails its transactions. */
  connectionClosed(connectionId: string): void;
  /** A framing error on a stream (the adapter has closed that connection). */
  framingError(source: Endpoint, reason: string): void;
  /**
   * A connection we opened to send failed before it carried anything (refused, TLS handshake or
   * certificate failure): transactions toward that peer get a transport error (§17.1.1.2).
   */
  sendFailed(dest: Endpoint): void;
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** Reliable transports need no retransmissions (RFC 3261 §17). */
  readonly reliable: boolean;
  /** Where it listens (after bind: port 0 has become the real port). */
  readonly local: { address: string; port: number };
  /** Set once by the stack. */
  setHandler(events: TransportEvents): void;
  /**
   * Send one serialised message. Returns false when it cannot be sent at all (e.g. the connection
   * named by `dest.connectionId` is gone), so the caller can report a transport error.
   */
  send(data: Buffer, dest: Endpoint): boolean;
  /** Idempotent: closes the listening socket and every connection. */
  close(): Promise<void>;
}

export function isReliable(p: TransportProtocol): boolean {
  return p !== "udp";
}
