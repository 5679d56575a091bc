/** Convenience: a SipStack with the transports asked for, all bound before it returns. */
import { SipStack, type SipStackOptions } from "./stack.js";
import { type TcpOptions, TcpTransport } from "./transport/tcp.js";
import type { Transport } from "./transport/types.js";
import { type UdpOptions, UdpTransport } from "./transport/udp.js";
import { type WsOptions, WsTransport } from "./transport/ws.js";

export interface CreateSipStackOptions extends Omit<SipStackOptions, "transports"> {
  udp?: UdpOptions | boolean;
  tcp?: TcpOptions | boolean;
  /** TLS needs `tls.tls` (key/cert). */
  tls?: TcpOptions;
  ws?: WsOptions | boolean;
}

/**
 * RFC 3261 §18: a server listening on a UDP port listens on TCP at the same port, so a phone
 * that switches transport (or is set up for TCP) reaches it at the address it knows. Asked for
 * any free port (0), TCP takes the one UDP got; if that is taken on TCP, both try again.
 */
async function udpAndTcp(udp: UdpOptions, tcp: TcpOptions): Promise<Transport[]> {
  const pick = (udp.port ?? 0) === 0 && (tcp.port ?? 0) === 0;
  for (let attempt = 0; ; attempt++) {
    const u = await UdpTransport.listen(udp);
    try {
      return [u, await TcpTransport.listen(pick ? { ...tcp, port: u.local.port } : tcp)];
    } catch (err) {
      await u.close();
      const inUse = (err as NodeJS.ErrnoException).code === "EADDRINUSE";
      if (!pick || !inUse || attempt >= 9) throw err;
    }
  }
}

export async function createSipStack(o: CreateSipStackOptions): Promise<SipStack> {
  const transports: Transport[] = [];
  try {
    if (o.udp && o.tcp)
      transports.push(...(await udpAndTcp(o.udp === true ? {} : o.udp, o.tcp === true ? {} : o.tcp)));
    else if (o.udp) transports.push(await UdpTransport.listen(o.udp === true ? {} : o.udp));
    else if (o.tcp) transports.push(await TcpTransport.listen(o.tcp === true ? {} : o.tcp));
    if (o.tls) transports.push(await TcpTransport.listen(o.tls));
    if (o.ws) transports.push(await WsTransport.listen(o.ws === true ? {} : o.ws));
  } catch (e) {
    await Promise.all(transports.map((t) => t.close()));
    throw e;
  }
  return new SipStack({ ...o, transports });
}
