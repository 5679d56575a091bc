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

export async function createSipStack(o: CreateSipStackOptions): Promise<SipStack> {
  const transports: Transport[] = [];
  try {
    if (o.udp) transports.push(await UdpTransport.listen(o.udp === true ? {} : o.udp));
    if (o.tcp) transports.push(await TcpTransport.listen(o.tcp === true ? {} : o.tcp));
    if (o.tls) transports.push(await TcpTransport.listen(o.tls));
    if (o.ws) transports.push(await WsTransport.listen(o.ws === true ? {} : o.ws));
  } catch (e) {
    await Promise.all(transports.map((t) => t.close()));
    throw e;
  }
  return new SipStack({ ...o, transports });
}
