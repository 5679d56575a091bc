/**
 * The browser app's REST client and socket.io link against the real acd-server (in process, on
 * a free port). Token expiry is reached by moving the Date clock that both sides read, not by a
 * stand-in server that pretends: Date is faked (and keeps running) before the server starts, so
 * its token service reads the same clock the test moves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client.js";
import { ApiError } from "../src/api/errors.js";
import { createSessionStore } from "../src/api/session-store.js";
import { connectEvents, type EventsConnection, type LinkStatus } from "../src/realtime/events.js";
import { startTestServer, type TestServer, until } from "./server.js";

let t: TestServer;
const links: EventsConnection[] = [];

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  t = await startTestServer();
  // Starting the real server (PGlite, migrations, demo data) takes seconds, more on a busy machine.
}, 90_000);
afterAll(async () => {
  await t?.close();
  vi.useRealTimers();
});
afterEach(() => {
  for (const l of links.splice(0)) l.close();
});

/** A client whose requests are recorded (path only) on their way to the real server. */
function client() {
  const paths: string[] = [];
  const api = new ApiClient({
    baseUrl: t.url,
    store: createSessionStore(),
    fetch: (input, init) => {
      paths.push(new URL(input).pathname);
      return fetch(input, init);
    },
  });
  return { api, paths };
}

/** Moves the clock the token service reads past the access token's 15 minutes. */
function expireAccessTokens() {
  vi.setSystemTime(Date.now() + 16 * 60_000);
}

describe("ApiClient", () => {
  it("logs in, keeps the session, and sends the bearer token", async () => {
    const { api } = client();
    const s = await api.login("1001", "hotline-1001");
    expect(s.user).toEqual({ userId: "1001", role: "agent", displayName: expect.any(String) });
    expect(api.store.get()?.accessToken).toBe(s.accessToken);
    expect(await api.me()).toMatchObject({ userId: "1001", role: "agent" });
  });

  it("turns a refused login into an ApiError with its stable code", async () => {
    const { api } = client();
    const err = await api.login("1002", "wrong-password").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "HOTLINE_ERR_BAD_CREDENTIALS", status: 401 });
    expect(api.store.get()).toBeNull();
  });

  it("reports rate limiting with the Retry-After seconds", async () => {
    const { api } = client();
    let last: unknown;
    for (let i = 0; i < 6; i++) last = await api.login("1003", "wrong-password").catch((e: unknown) => e);
    expect(last).toMatchObject({ code: "HOTLINE_ERR_RATE_LIMITED", status: 429 });
    expect((last as ApiError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it("maps a missing route to NOT_FOUND and an unreachable server to NETWORK", async () => {
    const { api } = client();
    await api.login("1001", "hotline-1001");
    await expect(api.request("GET", "/api/no-such-thing")).rejects.toMatchObject({
      code: "HOTLINE_ERR_NOT_FOUND",
      status: 404,
    });
    const dead = new ApiClient({ baseUrl: "http://127.0.0.1:1", store: createSessionStore() });
    await expect(dead.login("1001", "x")).rejects.toMatchObject({ code: "HOTLINE_ERR_NETWORK", status: 0 });
  });

  it("refreshes silently once when the access token has expired, and retries the request", async () => {
    const { api, paths } = client();
    const first = await api.login("1001", "hotline-1001");
    expireAccessTokens();
    expect(await api.me()).toMatchObject({ userId: "1001" });
    expect(paths.filter((p) => p === "/api/me")).toHaveLength(2);
    expect(paths.filter((p) => p === "/api/auth/refresh")).toHaveLength(1);
    expect(api.store.get()?.refreshToken).not.toBe(first.refreshToken);
  });

  it("shares one refresh among concurrent requests, so the rotating token is never replayed", async () => {
    const { api, paths } = client();
    await api.login("1004", "hotline-1004");
    expireAccessTokens();
    const results = await Promise.all([api.me(), api.me(), api.me(), api.myAgent()]);
    expect(results).toHaveLength(4);
    expect(paths.filter((p) => p === "/api/auth/refresh")).toHaveLength(1);
    // A replayed refresh token would have ended every session of 1004; this one still works.
    expect(await api.me()).toMatchObject({ userId: "1004" });
    // The refreshed session still names its user (the refresh answer is only a token pair).
    const again = await api.refresh();
    expect(again.user.userId).toBe("1004");
  });

  it("signs out when the refresh itself is refused", async () => {
    const { api } = client();
    await api.login("2001", "hotline-2001");
    const stale = api.store.get()!;
    await api.refresh(); // rotates: the stale refresh token is now spent
    api.store.set(stale);
    expireAccessTokens();
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    expect(api.store.get()).toBeNull();
  });

  it("logout ends the session on the server too", async () => {
    const { api } = client();
    const s = await api.login("1002", "hotline-1002");
    await api.logout();
    expect(api.store.get()).toBeNull();
    api.store.set(s);
    await expect(api.refresh()).rejects.toMatchObject({ status: 401 });
  });
});

describe("socket.io link", () => {
  function link(api: ApiClient) {
    const statuses: LinkStatus[] = [];
    let resyncs = 0;
    const conn = connectEvents({
      api,
      url: t.url,
      resync: () => {
        resyncs++;
      },
      onStatus: (s) => statuses.push(s),
    });
    links.push(conn);
    return { conn, statuses, resyncs: () => resyncs };
  }

  it("resyncs on connect and again after the server drops it, then hears pushes", async () => {
    const { api } = client();
    await api.login("1001", "hotline-1001");
    const l = link(api);
    await until(() => l.resyncs() === 1, "first resync");
    expect(l.statuses.at(-1)).toBe("online");
    // The server closes every socket (a restart, a network cut seen from the server side).
    t.server.io.disconnectSockets(true);
    await until(() => l.statuses.includes("offline"), "offline");
    await until(() => l.resyncs() === 2, "resync after reconnect");
    expect(l.statuses.at(-1)).toBe("online");
    const states: string[] = [];
    l.conn.on("agent.state", (e) => {
      if (e.agentId === "1001") states.push(e.state);
    });
    await api.setMyState("READY");
    await until(() => states.includes("READY"), "agent.state READY push");
    await api.setMyState("NOT_READY", (await api.notReadyReasons())[0]?.code);
  });

  it("refreshes and reconnects when the handshake is refused for an expired token", async () => {
    const { api, paths } = client();
    await api.login("1002", "hotline-1002");
    expireAccessTokens();
    const l = link(api);
    await until(() => l.resyncs() === 1, "resync after refresh");
    expect(paths).toContain("/api/auth/refresh");
    expect(l.statuses.at(-1)).toBe("online");
  });

  it("reports signed-out for a token the server will never accept, and close is idempotent", async () => {
    const api = new ApiClient({ baseUrl: t.url, store: createSessionStore() });
    api.store.set({
      accessToken: "not-a-token",
      refreshToken: "x",
      expiresIn: 900,
      user: { userId: "1001", role: "agent", displayName: "x" },
    });
    const l = link(api);
    await until(() => l.statuses.includes("signed-out"), "signed-out");
    expect(l.resyncs()).toBe(0);
    l.conn.close();
    l.conn.close();
    expect(l.conn.socket.connected).toBe(false);
  });
});
