import { MediaEngine } from "@hotline12345/media";
import { createSipStack, DigestAuthenticator, Registrar } from "@hotline12345/sip";
import { pino } from "pino";
import { EmbeddedSwitch } from "../../src/engine/embedded/embedded-switch.js";
import type { EngineFactory } from "./engine.js";

/**
 * The embedded engine for the contract suite: packages/sip and packages/media in this process,
 * wired as `startEmbeddedEngine` does but with the agents' passwords in memory instead of the
 * users table, so the suite needs no store and no HTTP server.
 */
export const embeddedEngine: EngineFactory = async (o) => {
  // RTP ports of its own: below the kernel's ephemeral range (32768+) and apart from the
  // servers' default (20000–29999) and the media tests' fixed ranges (41000–48099), which run
  // beside this suite.
  const media = await MediaEngine.start({
    portMin: 30_000,
    portMax: 31_999,
    workers: 1,
    bindAddress: "127.0.0.1",
  });
  const sip = await createSipStack({
    udp: { address: "127.0.0.1", port: 0 },
    userAgent: "hotline12345-contract",
  });
  const authenticator = new DigestAuthenticator({
    realm: o.domain,
    algorithms: ["MD5"],
    lookup: async (user) => o.agents.get(user),
  });
  const aliases = ["127.0.0.1"].filter((a) => a !== o.domain);
  const registrar = new Registrar(sip, { authenticator, domains: [o.domain, ...aliases] }).attach();
  const sw = new EmbeddedSwitch({
    sip,
    registrar,
    authenticator,
    media,
    domain: o.domain,
    domainAliases: aliases,
    trunks: [{ id: "contract", addresses: o.trustedAddresses }],
    log: pino({ level: process.env.CONTRACT_LOG ?? "silent" }),
  });
  const udp = sip.transports.find((t) => t.protocol === "udp");
  if (!udp) throw new Error("no UDP transport");
  return {
    switch: sw,
    sip: { host: "127.0.0.1", port: udp.local.port },
    async resources() {
      const [worker] = await media.stats();
      return {
        legs: sw.liveLegs,
        dialogs: sip.dialogCount,
        ...media.liveHandles,
        workerEndpoints: worker?.endpoints ?? 0,
        workerPorts: worker?.portsInUse ?? 0,
        workerBridges: worker?.bridges ?? 0,
        workerPlayers: worker?.players ?? 0,
        workerRecordings: worker?.recordings ?? 0,
        workerMixers: worker?.mixers ?? 0,
        workerForks: worker?.forks ?? 0,
      };
    },
    async stop() {
      registrar.close();
      await sip.close();
      await media.close();
    },
  };
};
