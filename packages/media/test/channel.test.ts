import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Channel } from "../src/channel.js";
import { MediaErrorCode } from "../src/errors.js";

// A real worker thread that answers only `worker.stats`, and only when told to.
const WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  if (m.method === "worker.stats") parentPort.postMessage({ id: m.id, ok: true, result: { endpoints: 7 } });
  if (m.method === "endpoint.stats") parentPort.postMessage({ id: m.id, ok: false, error: { code: "HOTLINE_ERR_MEDIA_INVALID_ARGUMENT", message: "no such endpoint" } });
  if (m.method === "worker.close") process.exit(3);
});
`;

describe("Channel (request/response with a pending map)", () => {
  it("matches answers by id, maps errors to MediaError codes, rejects pending on close", async () => {
    const w = new Worker(WORKER, { eval: true });
    const ch = new Channel(w, () => {});
    await expect(ch.request("worker.stats", {})).resolves.toMatchObject({ endpoints: 7 });
    await expect(ch.request("endpoint.stats", { id: "x" })).rejects.toMatchObject({
      code: MediaErrorCode.InvalidArgument,
    });
    const never = ch.request("endpoint.offer", { id: "x", direction: "sendrecv" });
    expect(ch.pending).toBe(1);
    ch.close();
    ch.close();
    await expect(never).rejects.toMatchObject({ code: MediaErrorCode.Closed });
    expect(ch.pending).toBe(0);
    await expect(ch.request("worker.stats", {})).rejects.toMatchObject({ code: MediaErrorCode.Closed });
    await w.terminate();
  });

  it("a worker that dies rejects everything pending", async () => {
    const w = new Worker(WORKER, { eval: true });
    const ch = new Channel(w, () => {});
    const a = ch.request("endpoint.offer", { id: "x", direction: "sendrecv" });
    const b = ch.request("worker.close", {});
    await expect(a).rejects.toThrow(/exited with code 3/);
    await expect(b).rejects.toMatchObject({ code: MediaErrorCode.Closed });
  });

  it("a request with no answer times out and leaves the pending map", async () => {
    const w = new Worker(WORKER, { eval: true });
    const ch = new Channel(w, () => {}, 100);
    await expect(ch.request("endpoint.offer", { id: "x", direction: "sendrecv" })).rejects.toMatchObject({
      code: MediaErrorCode.Worker,
    });
    expect(ch.pending).toBe(0);
    ch.close();
    await w.terminate();
  });
});
