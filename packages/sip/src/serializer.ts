/** Serialiser (RFC 3261 §7): start line, header fields in order, Content-Length always exact. */

import { serializeUri } from "./grammar.js";
import type { SipMessage } from "./message.js";

export function serializeMessage(msg: SipMessage): Buffer {
  let s =
    msg.kind === "request"
      ? `${msg.method} ${serializeUri(msg.uri)} SIP/2.0\r\n`
      : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const h of msg.headers.list) {
    if (h.name === "Content-Length") continue;
    s += `${h.name}: ${h.value}\r\n`;
  }
  // §18.3 / §20.14: the length is the body's, whatever the header said.
  s += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const head = Buffer.from(s, "utf8");
  return msg.body.length === 0 ? head : Buffer.concat([head, msg.body]);
}
