import { createSocket, type Socket } from "node:dgram";
import { MediaError, MediaErrorCode } from "./errors.js";
import type { PortAllocator } from "./port-allocator.js";

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once("error", onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

/**
 * Binds an RTP/RTCP socket pair on the next free even port of `ports`. A port
 * taken by another process (EADDRINUSE) is skipped; every port reserved here is
 * either bound or released before returning, so nothing leaks on failure.
 */
export async function bindRtpPair(
  ports: PortAllocator,
  address: string,
): Promise<{ rtp: Socket; rtcp: Socket; port: number }> {
  const type = address.includes(":") ? "udp6" : "udp4";
  for (let attempt = 0; attempt < Math.min(ports.size, 64); attempt++) {
    const port = ports.allocate();
    const rtp = createSocket({ type, recvBufferSize: 256 * 1024 });
    const rtcp = createSocket({ type });
    try {
      await bind(rtp, port, address);
      await bind(rtcp, port + 1, address);
      return { rtp, rtcp, port };
    } catch (err) {
      await Promise.all([closeQuietly(rtp), closeQuietly(rtcp)]);
      ports.release(port);
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    }
  }
  throw new MediaError(MediaErrorCode.PortsExhausted, "no bindable RTP port pair in range");
}

export function closeQuietly(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // not bound or already closed
    }
  });
}
