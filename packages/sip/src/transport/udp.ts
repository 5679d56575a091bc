/** UDP adapter: one datagram, one message (RFC 3261 §18.3). */
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Endpoint, Transport, TransportEvents } from "./types.js";

export interface UdpOptions {
  address?: string;
  port?: number;
}

export class UdpTransport implements Transport {
  readonly protocol = "udp" as const;
  readonly reliable = false;
  local = { address: "", port: 0 };
  private events: TransportEvents | undefined;
  private closed: Promise<void> | undefined;

  private constructor(private readonly socket: Socket) {}

  static async listen(opts: UdpOptions = {}): Promise<UdpTransport> {
    const address = opts.address ?? "127.0.0.1";
    const socket = createSocket({ type: isIPv6(address) ? "udp6" : "udp4" });
    const t = new UdpTransport(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(opts.port ?? 0, address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    const a = socket.address();
    t.local = { address: a.address, port: a.port };
    // Large bursts (benchmarks, retransmission storms) should not overflow the kernel buffer.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      // Not permitted on every system; the defaults still work.
    }
    socket.on("message", (data, rinfo) => {
      // Keep-alive datagrams (a bare CRLF or double CRLF) carry no message.
      if (data.length <= 4 && /^[\r\n]*$/.test(data.toString("latin1"))) return;
      t.events?.message(data, { protocol: "udp", address: rinfo.address, port: rinfo.port });
    });
    socket.on("error", () => {
      // ICMP errors and the like: UDP is unreliable by contract, transactions retransmit or time out.
    });
    return t;
  }

  setHandler(events: TransportEvents): void {
    this.events = events;
  }

  send(data: Buffer, dest: Endpoint): boolean {
    if (this.closed) return false;
    this.socket.send(data, dest.port, dest.address, () => {});
    return true;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return this.closed;
  }
}
