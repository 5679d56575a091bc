/**
 * A small answering server built only on the public API of @hotline12345/sip: a registrar with
 * digest auth, and a UAS that answers INVITEs with SDP (or rings until CANCEL for users "ring*"),
 * keeps re-INVITEs going and hangs up on BYE. Used by the interop tests and `pnpm bench:sip`.
 *
 *   tsx tests/sip-interop/answer-server.ts [--udp-port N] [--tcp-port N] [--ws-port N]
 */
import {
  createSipStack,
  type Dialog,
  DigestAuthenticator,
  type IncomingRequest,
  Registrar,
  type SipStack,
} from "@hotline12345/sip";

export interface AnswerServer {
  stack: SipStack;
  registrar: Registrar;
  auth: DigestAuthenticator;
  udpPort: number;
  tcpPort: number;
  wsPort: number;
  stats: { invites: number; answered: number; cancelled: number; byes: number; reinvites: number };
  close(): Promise<void>;
}

export const DEMO_USERS: Readonly<Record<string, string>> = {
  "1001": "hotline-1001",
  "1002": "hotline-1002",
  "1003": "hotline-1003",
  "1004": "hotline-1004",
};

function answerSdp(port: number): string {
  return [
    "v=0",
    `o=hotline 1 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 0 8 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

export async function startAnswerServer(
  o: { udpPort?: number; tcpPort?: number; wsPort?: number; ringMs?: number } = {},
): Promise<AnswerServer> {
  const stack = await createSipStack({
    udp: { address: "127.0.0.1", port: o.udpPort ?? 0 },
    tcp: { address: "127.0.0.1", port: o.tcpPort ?? 0 },
    ws: { address: "127.0.0.1", port: o.wsPort ?? 0 },
  });
  // Both sipp and JsSIP 3.x only speak MD5, and neither skips a SHA-256 challenge: sipp answers the
  // first WWW-Authenticate, JsSIP the last. So MD5 is put where each will read it.
  const auth = new DigestAuthenticator({
    realm: "localhost",
    lookup: async (u) => DEMO_USERS[u],
    algorithms: (inc) => (inc.source.protocol === "ws" ? ["SHA-256", "MD5"] : ["MD5", "SHA-256"]),
    clock: stack.clock,
  });
  const registrar = new Registrar(stack, { authenticator: auth, minExpires: 1 }).attach();
  const stats = { invites: 0, answered: 0, cancelled: 0, byes: 0, reinvites: 0 };
  let rtpPort = 20000;
  const track = (d: Dialog) => {
    d.on("reinvite", (r: IncomingRequest) => {
      stats.reinvites++;
      void r.accept({ body: answerSdp(d.localBody ? rtpPort : 20000) }).catch(() => {});
    });
    d.on("terminated", (why) => {
      if (why === "bye") stats.byes++;
    });
  };
  stack.onRequest("INVITE", async (inc) => {
    stats.invites++;
    const user = inc.request.uri.user ?? "";
    if (user.startsWith("ring")) {
      inc.respond(180);
      inc.on("cancel", () => {
        stats.cancelled++;
      });
      return;
    }
    rtpPort = rtpPort >= 29_998 ? 20000 : rtpPort + 2;
    try {
      const d = await inc.accept({ body: answerSdp(rtpPort) });
      stats.answered++;
      track(d);
    } catch {
      // no ACK: the dialog already sent BYE
    }
  });
  const t = stack.transports;
  return {
    stack,
    registrar,
    auth,
    stats,
    udpPort: t.find((x) => x.protocol === "udp")!.local.port,
    tcpPort: t.find((x) => x.protocol === "tcp")!.local.port,
    wsPort: t.find((x) => x.protocol === "ws")!.local.port,
    close: async () => {
      registrar.close();
      await stack.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const s = await startAnswerServer({
    udpPort: arg("--udp-port"),
    tcpPort: arg("--tcp-port"),
    wsPort: arg("--ws-port"),
  });
  process.stdout.write(`answer-server udp=${s.udpPort} tcp=${s.tcpPort} ws=${s.wsPort}\n`);
  const stop = () => void s.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
