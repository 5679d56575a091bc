import type { SipStack } from "@hotline12345/sip";
import { trunkRequestUri } from "../engine/embedded/trunk-request.js";
import type { ProbeSender } from "./manager.js";

/**
 * The thin adapter between the probe core and the SIP stack: one out-of-dialog OPTIONS
 * (RFC 3261 §11.1) per probe, sent straight to the trunk's address. Resolves with the final
 * status; the stack answers a timeout with a local 408 and a transport failure with a local 503.
 */
export function sipOptionsSender(sip: SipStack, domain: string): ProbeSender {
  return async (t) => {
    const req = sip.createRequest("OPTIONS", trunkRequestUri(t), {
      from: `<sip:hotline@${domain}>`,
      headers: [["Accept", "application/sdp"]],
    });
    const res = await sip.request(req, {
      destination: { protocol: t.transport, address: t.host, port: t.port },
    });
    return res.status;
  };
}
