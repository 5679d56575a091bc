import { createSocket } from "node:dgram";

/**
 * The least SIP a media test needs (packages/sip is not used here on purpose):
 * answers one INVITE with 200 OK carrying our SDP, absorbs ACK, answers BYE.
 * Retransmitted INVITEs get the same 200 again (RFC 3261 §13.3.1.4).
 */
export async function miniUas(answer: (offerSdp: string) => Promise<string>) {
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  const port = socket.address().port;
  const responses = new Map<string, string>();
  let byeSeen = false;
  let ackSeen = false;
  socket.on("message", async (msg, rinfo) => {
    const text = msg.toString("utf8");
    const [head = "", body = ""] = text.split("\r\n\r\n");
    const lines = head.split("\r\n");
    const method = lines[0]?.split(" ")[0];
    const h = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const callId = h("Call-ID")[0] ?? "";
    const reply = (status: string, extra: string[], content = ""): string =>
      [
        `SIP/2.0 ${status}`,
        ...h("Via"),
        ...h("From"),
        ...h("To").map((t) => (t.includes("tag=") ? t : `${t};tag=media-test`)),
        callId,
        ...h("CSeq"),
        `Contact: <sip:media@127.0.0.1:${port}>`,
        ...extra,
        `Content-Length: ${Buffer.byteLength(content)}`,
        "",
        content,
      ].join("\r\n");
    const send = (s: string) => socket.send(s, rinfo.port, rinfo.address);
    if (method === "INVITE") {
      let r = responses.get(callId);
      if (!r) {
        const sdp = await answer(body);
        r = reply("200 OK", ["Content-Type: application/sdp"], sdp);
        responses.set(callId, r);
      }
      send(r);
    } else if (method === "ACK") {
      ackSeen = true;
    } else if (method === "BYE") {
      byeSeen = true;
      send(reply("200 OK", []));
    }
  });
  return {
    port,
    get ackSeen() {
      return ackSeen;
    },
    get byeSeen() {
      return byeSeen;
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** A sipp UAC scenario: INVITE with PCMU + telephone-event, ACK, replay pcaps, BYE. */
export function sippUacScenario(pcaps: { path: string; pauseAfterMs: number }[]): string {
  const plays = pcaps
    .map(
      (p) => `  <nop><action><exec play_pcap_audio="${p.path}"/></action></nop>
  <pause milliseconds="${p.pauseAfterMs}"/>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="media interop caller">
  <send retrans="500"><![CDATA[
INVITE sip:12345@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:12345@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:13800138000@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
]]></send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send><![CDATA[
ACK sip:12345@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:12345@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:13800138000@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
${plays}
  <send retrans="500"><![CDATA[
BYE sip:12345@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:12345@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:13800138000@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
`;
}
