import type { Server as HttpServer } from "node:http";
import { MediaEngine } from "@hotline12345/media";
import { createSipStack, type DigestAlgorithm, DigestAuthenticator, Registrar } from "@hotline12345/sip";
import type { Logger } from "pino";
import type { Store } from "../../store/store.js";
import { EmbeddedSwitch, type TrustedTrunk } from "./embedded-switch.js";

export interface EmbeddedEngineOptions {
  store: Store;
  log: Logger;
  /** The HTTP server browsers reach: SIP over WebSocket is served on it at `wsPath`. */
  http: HttpServer;
  wsPath: string;
  domain: string;
  sipHost: string;
  sipPort: number;
  rtpPortMin: number;
  rtpPortMax: number;
  /** Address put in SDP and Contact when listening on a wildcard (the machine's reachable address). */
  publicAddress?: string | undefined;
  trunks: readonly TrustedTrunk[];
  mediaWorkers?: number;
}

export interface EmbeddedEngine {
  readonly switch: EmbeddedSwitch;
  readonly registrar: Registrar;
  readonly authenticator: DigestAuthenticator;
  /** The SIP UDP/TCP port actually bound (when 0 was asked). */
  readonly sipPort: number;
  close(): Promise<void>;
}

/**
 * Starts the embedded engine: media workers, the SIP stack on UDP, TCP and WebSocket, the
 * registrar with digest authentication against the users table (by the HA1 kept there, so no
 * SIP password is stored), and the switch on top.
 */
export async function startEmbeddedEngine(o: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const media = await MediaEngine.start({
    portMin: o.rtpPortMin,
    portMax: o.rtpPortMax,
    ...(o.mediaWorkers ? { workers: o.mediaWorkers } : {}),
    ...(o.publicAddress ? { publicAddress: o.publicAddress } : {}),
  });
  media.on("workerError", (err) => o.log.error({ err }, "media worker failed"));
  let sip: Awaited<ReturnType<typeof createSipStack>>;
  try {
    sip = await createSipStack({
      udp: { address: o.sipHost, port: o.sipPort },
      tcp: { address: o.sipHost, port: o.sipPort },
      ws: { server: o.http, path: o.wsPath },
      userAgent: "hotline12345",
      ...(o.publicAddress ? { publicAddress: o.publicAddress } : {}),
    });
  } catch (err) {
    await media.close();
    throw err;
  }
  // UDP and TCP bind the same number: if 0 was asked, TCP follows whatever UDP got.
  const udp = sip.transports.find((t) => t.protocol === "udp");
  const authenticator = new DigestAuthenticator({
    realm: o.domain,
    // RFC 8760 §2.4 lets the client pick among the challenges, but MD5-only clients differ in
    // how they read several: sipp takes the first, JsSIP 3.x (browsers, over WebSocket) the last,
    // and baresip 1.x (libre) gives up if any one of them is not MD5. So: MD5 alone for
    // baresip, MD5 last over WebSocket, MD5 first otherwise.
    algorithms: (inc) => {
      if (/baresip|libre/i.test(inc.request.headers.get("User-Agent") ?? "")) return ["MD5"];
      const ws = inc.source.protocol === "ws" || inc.source.protocol === "wss";
      return ws ? ["SHA-256", "MD5"] : ["MD5", "SHA-256"];
    },
    lookup: async () => undefined,
    lookupHa1: async (username: string, realm: string, algorithm: DigestAlgorithm) => {
      const u = await o.store.db
        .selectFrom("users")
        .select(["sip_realm", "sip_ha1_md5", "sip_ha1_sha256", "enabled"])
        .where("id", "=", username)
        .executeTakeFirst();
      if (!u?.enabled || u.sip_realm !== realm) return undefined;
      return algorithm === "MD5" ? u.sip_ha1_md5 : u.sip_ha1_sha256;
    },
  });
  authenticator.on("lockout", (l) => o.log.warn({ lockout: l }, "SIP authentication lockout"));
  // Desk phones are often set up with the server's address rather than the SIP domain.
  const aliases = [
    ...new Set(["127.0.0.1", "localhost", o.sipHost, ...(o.publicAddress ? [o.publicAddress] : [])]),
  ].filter((h) => h !== o.domain && h !== "0.0.0.0");
  const registrar = new Registrar(sip, { authenticator, domains: [o.domain, ...aliases] }).attach();
  const sw = new EmbeddedSwitch({
    sip,
    registrar,
    authenticator,
    media,
    domain: o.domain,
    domainAliases: aliases,
    trunks: o.trunks,
    log: o.log,
  });
  let closing: Promise<void> | undefined;
  return {
    switch: sw,
    registrar,
    authenticator,
    sipPort: udp?.local.port ?? o.sipPort,
    close() {
      closing ??= (async () => {
        await sw.close();
        registrar.close();
        await sip.close();
        await media.close();
      })();
      return closing;
    },
  };
}
