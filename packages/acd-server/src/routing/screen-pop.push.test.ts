import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.js";
import type { CallOfferedEvent, ClientToServerEvents, ServerToClientEvents } from "../events/catalogue.js";
import { type RunningServer, startServer } from "../server.js";

/** The queue's screen pop, set through the admin API, reaches the desk with the offered call. */
describe("screen pop with the offered call", () => {
  let server: RunningServer;
  let dir: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hotline-pop-"));
    server = await startServer(
      loadConfig({
        HOTLINE_HTTP_PORT: "0",
        HOTLINE_HTTP_HOST: "127.0.0.1",
        HOTLINE_SIP_ENABLED: "false",
        HOTLINE_DATA_DIR: dir,
      }),
      pino({ level: "silent" }),
    );
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function tokenFor(userId: string): Promise<string> {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId, password: `hotline-${userId}` }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it("fills the template per desk (number masked for agents) and says how and when to open it", async () => {
    const admin = await tokenFor("9001");
    const patch = await call(admin, "PATCH", "/api/queues/general", {
      screenPopUrl: "https://biz.example/ticket?call={callId}&caller={caller}&topic={data.topic}",
      screenPopMode: "tab",
      screenPopWhen: "offered",
    });
    expect(patch.status).toBe(200);
    expect(await patch.json()).toMatchObject({ screenPopMode: "tab", screenPopWhen: "offered" });
    const bad = await call(admin, "PATCH", "/api/queues/general", { screenPopUrl: "javascript:alert(1)" });
    expect(bad.status).toBe(400);
    const badMode = await call(admin, "PATCH", "/api/queues/general", { screenPopMode: "popup" });
    expect(badMode.status).toBe(400);

    const token = await tokenFor("1002");
    const desk: Socket<ServerToClientEvents, ClientToServerEvents> = connect(server.url, {
      transports: ["websocket"],
      auth: { token },
      reconnection: false,
    });
    sockets.push(desk);
    await new Promise((resolve) => desk.once("hello", resolve));
    expect((await call(token, "POST", "/api/agents/me/state", { state: "READY" })).status).toBe(200);
    const offered = new Promise<CallOfferedEvent>((resolve) => desk.once("call.offered", resolve));
    await server.runtime.acd.enqueue({
      callId: "call-7",
      queueId: "general",
      number: "13812341234",
      data: { topic: "供暖&物业" },
    });
    const e = await offered;
    const url = `https://biz.example/ticket?call=call-7&caller=${encodeURIComponent("138****1234")}&topic=${encodeURIComponent("供暖&物业")}`;
    expect(e.screenPop).toEqual({ url, mode: "tab", when: "offered" });
    expect(e.screenPopUrl).toBe(url);
    expect(e.caller).toBe("138****1234");
  });
});
