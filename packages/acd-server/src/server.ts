import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { buildApp } from "./api/app.js";
import { SessionService } from "./auth/sessions.js";
import { TokenService } from "./auth/tokens.js";
import { CallCenter } from "./calls/call-center.js";
import { attachCallEvents } from "./calls/call-events.js";
import { type Config, demoDataEnabled } from "./config/config.js";
import { accountsWithDemoPasswords, bootstrapAdmin, seedDemoData, seedLocalTrunk } from "./demo/seed.js";
import { CalendarDirectory } from "./directory/calendars.js";
import { ListDirectory } from "./directory/lists.js";
import { QueueDirectory } from "./directory/queues.js";
import { UserDirectory } from "./directory/users.js";
import { type EmbeddedEngine, startEmbeddedEngine } from "./engine/embedded/start.js";
import { attachEventServer, type EventServer } from "./events/socket.js";
import { FlowDirectory } from "./flows/directory.js";
import { createMetrics } from "./metrics.js";
import { AcdRuntime } from "./routing/runtime.js";
import { openStore, type Store } from "./store/store.js";
import { TrunkService } from "./trunks/service.js";
import { forwardAcdEvents, surveyCompleted, Webhooks } from "./webhooks/index.js";

export interface RunningServer {
  readonly app: FastifyInstance;
  /** The embedded engine, unless SIP is switched off. */
  readonly engine: EmbeddedEngine | undefined;
  readonly runtime: AcdRuntime;
  readonly io: EventServer;
  readonly store: Store;
  /** Signed webhooks to the business system (`emit("survey.completed", …)` from call sessions). */
  readonly webhooks: Webhooks;
  /** Trunks, their probes and alarms; absent when SIP is off. */
  readonly trunks: TrunkService | undefined;
  /** http://host:port the server listens on. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to drainSeconds), closes everything. Idempotent. */
  close(): Promise<void>;
}

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export class StartupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupRefused";
  }
}

export async function startServer(
  config: Config,
  log: Logger,
  options: { store?: Store } = {},
): Promise<RunningServer> {
  const store =
    options.store ??
    (await openStore(
      config.database.url
        ? { kind: "postgres", url: config.database.url }
        : { kind: "pglite", dataDir: join(config.dataDir, "pglite") },
    ));
  try {
    if (demoDataEnabled(config)) await seedDemoData(store, log);
    if (config.auth.bootstrapAdminPassword) {
      await bootstrapAdmin(store, config.auth.bootstrapAdminPassword, config.sip.domain, log);
    }
    if (config.env === "production") {
      const demo = await accountsWithDemoPasswords(store);
      if (demo.length > 0) {
        throw new StartupRefused(
          `refusing to run in production: accounts ${demo.join(", ")} still have their demo password (hotline-<id>); change them or delete the accounts`,
        );
      }
    }
  } catch (err) {
    if (!options.store) await store.close();
    throw err;
  }

  let runtime: AcdRuntime;
  try {
    runtime = await AcdRuntime.start({
      store,
      log,
      redisUrl: config.redis.url,
      redisPrefix: config.redis.prefix,
    });
  } catch (err) {
    if (!options.store) await store.close();
    throw err;
  }
  const metrics = createMetrics();
  // Webhooks and trunks: the business system hears of calls and alarms; trunks route the engine.
  const webhooks = new Webhooks({ store, log: log.child({ part: "webhooks" }) });
  const stopCallHooks = forwardAcdEvents(runtime.acd.events, webhooks);
  let trunks: TrunkService | undefined;
  if (config.sip.enabled) {
    trunks = new TrunkService({ store, log: log.child({ part: "trunks" }), metrics, webhooks });
    try {
      await seedLocalTrunk(store, config.sip.trustedAddresses, log);
      await trunks.start();
    } catch (err) {
      trunks.close();
      await runtime.close();
      if (!options.store) await store.close();
      throw err;
    }
  }
  const tokens = new TokenService(
    config.auth.jwtSecret,
    config.auth.accessTokenSeconds,
    config.auth.refreshTokenSeconds,
  );
  if (!config.auth.jwtSecret)
    log.warn("HOTLINE_JWT_SECRET not set: tokens are signed with a random key and end at restart");
  const sessions = new SessionService(
    store,
    tokens,
    {
      perUser: config.auth.loginAttemptsPerUser,
      perAddress: config.auth.loginAttemptsPerAddress,
      windowSeconds: config.auth.loginWindowSeconds,
    },
    metrics,
    log,
  );
  const flows = new FlowDirectory(store, { log });
  let calls: CallCenter | undefined;
  const app = await buildApp({
    log,
    store,
    tokens,
    sessions,
    metrics,
    version,
    users: new UserDirectory(store, config.sip.domain),
    queues: new QueueDirectory(store),
    lists: new ListDirectory(store),
    calendars: new CalendarDirectory(store),
    runtime,
    flows,
    calls: () => calls,
    demoPages: demoDataEnabled(config),
    ...trunks?.routeDeps(),
    webDir: config.webDir ?? fileURLToPath(new URL("../../agent-softphone/dist", import.meta.url)),
  });
  const io = attachEventServer(app.server, { tokens, store, log });
  runtime.attach(io);
  const callEvents = attachCallEvents(io, () => calls, log.child({ part: "calls" }));
  trunks?.attachEvents(io);
  let engine: EmbeddedEngine | undefined;
  if (config.sip.enabled) {
    try {
      engine = await startEmbeddedEngine({
        store,
        log: log.child({ part: "engine" }),
        http: app.server,
        wsPath: "/sip",
        domain: config.sip.domain,
        sipHost: config.sip.host,
        sipPort: config.sip.port,
        rtpPortMin: config.rtp.portMin,
        rtpPortMax: config.rtp.portMax,
        publicAddress: config.sip.publicAddress,
        trunks: [{ id: "local", addresses: config.sip.trustedAddresses }],
        ...(config.rtp.workers ? { mediaWorkers: config.rtp.workers } : {}),
      });
      trunks?.attachSwitch(engine.switch, config.sip.domain);
      calls = new CallCenter({
        switch: engine.switch,
        runtime,
        store,
        log: log.child({ part: "calls" }),
        hotlineNumber: config.hotlineNumber,
        recordingsDir: join(config.dataDir, "recordings"),
        flows,
        onCallChange: (view, parties) => callEvents.changed(view, parties),
        onSurvey: (e) => surveyCompleted(webhooks, e),
        voicemail: { ...config.voicemail, domain: config.sip.domain },
        featureCodes: config.featureCodes,
      });
    } catch (err) {
      trunks?.close();
      await runtime.close();
      await app.close();
      if (!options.store) await store.close();
      throw err;
    }
  }
  io.on("connection", (socket) => {
    metrics.socketClients.inc();
    socket.on("disconnect", () => metrics.socketClients.dec());
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const url = `http://${config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host}:${port}`;
  log.info(
    {
      url,
      store: store.kind,
      docs: `${url}/docs`,
      sipPort: engine?.sipPort,
      sipWs: engine ? `${url.replace("http", "ws")}/sip` : undefined,
    },
    "hotline12345 acd-server listening",
  );

  let closing: Promise<void> | null = null;
  return {
    app,
    engine,
    runtime,
    io,
    store,
    webhooks,
    trunks,
    url,
    close() {
      closing ??= (async () => {
        log.info("draining");
        const drain = new Promise<void>((resolve) =>
          setTimeout(resolve, config.http.drainSeconds * 1000).unref(),
        );
        io.disconnectSockets(true);
        await Promise.race([Promise.all([io.close().catch(() => {}), app.close()]), drain]);
        await engine?.close();
        await calls?.close();
        trunks?.close();
        stopCallHooks();
        await runtime.close();
        await webhooks.close();
        if (!options.store) await store.close();
        log.info("stopped");
      })();
      return closing;
    },
  };
}
