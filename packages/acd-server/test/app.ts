import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "../src/api/app.js";
import { SessionService } from "../src/auth/sessions.js";
import { TokenService } from "../src/auth/tokens.js";
import { seedDemoData } from "../src/demo/seed.js";
import { CalendarDirectory } from "../src/directory/calendars.js";
import { ListDirectory } from "../src/directory/lists.js";
import { QueueDirectory } from "../src/directory/queues.js";
import { UserDirectory } from "../src/directory/users.js";
import { createMetrics } from "../src/metrics.js";
import { AcdRuntime } from "../src/routing/runtime.js";
import type { Store } from "../src/store/store.js";
import type { StoreKind } from "./stores.js";

export interface TestApp {
  app: FastifyInstance;
  runtime: AcdRuntime;
  store: Store;
  clock: { now: number };
  tokens: TokenService;
  dispose(): Promise<void>;
  login(userId: string, password?: string): Promise<string>;
}

/** The real HTTP application on a real store with demo data, driven by inject(); a clock tests move. */
export async function openTestApp(
  kind: StoreKind,
  limits = { perUser: 5, perAddress: 30, windowSeconds: 300 },
  webDir?: string,
): Promise<TestApp> {
  const store = await kind.open();
  const log = pino({ level: "silent" });
  await seedDemoData(store, log);
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const tokens = new TokenService("a-test-secret-of-at-least-32-characters!!", 900, 43_200, now);
  const metrics = createMetrics();
  const runtime = await AcdRuntime.start({ store, log });
  const app = await buildApp({
    log,
    store,
    tokens,
    sessions: new SessionService(store, tokens, limits, metrics, log, now),
    metrics,
    version: "test",
    users: new UserDirectory(store, "localhost"),
    queues: new QueueDirectory(store),
    lists: new ListDirectory(store),
    calendars: new CalendarDirectory(store),
    runtime,
    webDir,
  });
  return {
    app,
    clock,
    tokens,
    runtime,
    store,
    async dispose() {
      await app.close();
      await runtime.close();
      await store.dispose();
    },
    async login(userId, password = `hotline-${userId}`) {
      const res = await app.inject({ method: "POST", url: "/api/auth/login", payload: { userId, password } });
      if (res.statusCode !== 200) throw new Error(`login ${userId}: ${res.statusCode} ${res.body}`);
      return (res.json() as { accessToken: string }).accessToken;
    },
  };
}
