import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.js";
import { type RunningServer, startServer } from "../server.js";
import type { ClientToServerEvents, HelloEvent, ServerToClientEvents } from "./catalogue.js";

describe("socket.io events", () => {
  let server: RunningServer;
  let dir: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hotline-socket-"));
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

  type Client = Socket<ServerToClientEvents, ClientToServerEvents> & { hello: Promise<HelloEvent> };
  function open(token: string | undefined): Client {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = connect(server.url, {
      transports: ["websocket"],
      auth: token ? { token } : {},
      reconnection: false,
    });
    sockets.push(s);
    // Listen before anything else can run: hello arrives right after the handshake.
    return Object.assign(s, { hello: new Promise<HelloEvent>((resolve) => s.once("hello", resolve)) });
  }

  it("joins an agent to its own room and its queues' rooms", async () => {
    const s = open(await tokenFor("1004"));
    const hello = await s.hello;
    expect(hello).toMatchObject({ userId: "1004", role: "agent" });
    expect(hello.rooms.sort()).toEqual(["agent:1004", "queue:english", "queue:general"]);
    const pong = await s.emitWithAck("ping");
    expect(pong.ok).toBe(true);
  });

  it("joins a supervisor to the supervisors' room, and pushes room events to it alone", async () => {
    const sup = open(await tokenFor("2001"));
    const agent = open(await tokenFor("1001"));
    await Promise.all([sup.hello, agent.hello]);
    let agentGotAlarm = false;
    agent.on("alarm", () => {
      agentGotAlarm = true;
    });
    const got = new Promise((resolve) => sup.once("alarm", resolve));
    server.io.to("supervisors").emit("alarm", {
      id: "t1",
      kind: "trunk-down",
      severity: "critical",
      message: "trunk local down",
      at: new Date().toISOString(),
    });
    expect(await got).toMatchObject({ id: "t1", kind: "trunk-down" });
    // A round trip on the agent's socket proves any alarm sent to it would have arrived by now.
    await agent.emitWithAck("ping");
    expect(agentGotAlarm).toBe(false);
  });

  it("pushes an agent's state change to its desk and the board, and offers a call with the number masked", async () => {
    const token = await tokenFor("1002");
    const desk = open(token);
    const board = open(await tokenFor("2001"));
    await Promise.all([desk.hello, board.hello]);
    const onBoard = new Promise((resolve) =>
      board.on("agent.state", (e) => {
        if (e.agentId === "1002" && e.state === "READY") resolve(e);
      }),
    );
    const res = await fetch(`${server.url}/api/agents/me/state`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ state: "READY" }),
    });
    expect(res.status).toBe(200);
    expect(await onBoard).toMatchObject({ agentId: "1002", state: "READY", queues: ["general"] });
    const offered = new Promise((resolve) => desk.once("call.offered", resolve));
    await server.runtime.acd.enqueue({
      callId: "call-42",
      queueId: "general",
      number: "13812341234",
      data: { topic: "社保" },
    });
    expect(await offered).toMatchObject({
      callId: "call-42",
      queueId: "general",
      caller: "138****1234",
      attached: { topic: "社保" },
    });
  });

  it("refuses a connection without a valid token, saying why", async () => {
    for (const [token, code] of [
      [undefined, "HOTLINE_ERR_UNAUTHENTICATED"],
      ["garbage", "HOTLINE_ERR_TOKEN_INVALID"],
    ] as const) {
      const s = open(token);
      const err = await new Promise<Error & { data?: { code: string } }>((resolve) =>
        s.once("connect_error", resolve),
      );
      expect(err.data?.code).toBe(code);
    }
  });
});
