import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { toneShare } from "../media-interop/support/audio.js";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

/**
 * The real-time voice stream: a queue configured with a WebSocket (say, a speech-to-text
 * service) receives each answered call's audio live — a JSON header, then 20 ms stereo frames,
 * the caller left and the agent right — and the socket closes when the talk ends.
 */
describe.skipIf(!haveBaresip)("real-time voice stream per queue", () => {
  let h: Hotline;
  let wss: WebSocketServer;
  const received: Array<{ text?: string; bin?: Buffer }> = [];
  let conn: WebSocket | undefined;
  beforeAll(async () => {
    h = await Hotline.start();
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    wss.on("connection", (ws) => {
      conn = ws;
      ws.on("message", (data, isBinary) =>
        received.push(isBinary ? { bin: data as Buffer } : { text: (data as Buffer).toString("utf8") }),
      );
    });
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it("streams the caller (left) and the agent (right) of an answered call to the queue's WebSocket", async () => {
    const admin = await h.tokenOf("9001");
    const { port } = wss.address() as { port: number };
    const bad = await h.api("PATCH", "/api/queues/general", admin, { voiceStreamUrl: "http://x" });
    expect(bad.status).toBe(400);
    const set = await h.api("PATCH", "/api/queues/general", admin, {
      voiceStreamUrl: `ws://127.0.0.1:${port}/stt`,
    });
    expect(set.status, await set.clone().text()).toBe(200);
    expect(((await set.json()) as { voiceStreamUrl: string }).voiceStreamUrl).toBe(
      `ws://127.0.0.1:${port}/stt`,
    );

    const agent = await h.agentPhone("1001", 600);
    await h.setState("1001", "READY");
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => resolve(e.item.id)),
    );
    await h.dial("13812345678", 1000);
    const callId = await answered;
    await until("3 s of streamed audio", 30_000, () =>
      received.filter((m) => m.bin).length > 150 ? true : undefined,
    );
    const header = JSON.parse(received[0]?.text ?? "{}") as {
      callId: string;
      caller: string;
      format: unknown;
    };
    expect(header).toMatchObject({
      callId,
      caller: "13812345678",
      format: { encoding: "L16", sampleRate: 8000, channels: 2 },
    });
    const frames = received
      .filter((m) => m.bin)
      .slice(-40, -10)
      .map((m) => m.bin as Buffer);
    expect(frames.every((f) => f.length === 640)).toBe(true);
    const channel = (c: 0 | 1) => {
      const x = new Int16Array(frames.length * 160);
      frames.forEach((f, i) => {
        for (let j = 0; j < 160; j++) x[i * 160 + j] = f.readInt16LE(j * 4 + c * 2);
      });
      return x;
    };
    expect(toneShare(channel(0), 1000)).toBeGreaterThan(0.8);
    expect(toneShare(channel(1), 600)).toBeGreaterThan(0.8);

    await agent.command("hangup");
    await until("the stream closed", 15_000, () => (conn?.readyState === 3 ? true : undefined));
  }, 120_000);
});
