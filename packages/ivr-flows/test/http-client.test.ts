// The http verb against a real HTTP server on 127.0.0.1 (port 0), through the
// fetch adapter, in real time: the business system answers, fails, or hangs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchHttpClient } from "../src/http-client.js";
import { runFlow } from "../src/interpreter.js";
import { type Clock, systemClock } from "../src/port.js";
import { audioCaller, ScriptedPort } from "./fake-port.js";
import { flowOf } from "./helpers.js";

let server: Server;
let base: string;
const received: Array<{ method: string; url: string; body: string; auth: string | undefined }> = [];
const hanging = new Set<ServerResponse>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (c: Buffer) => {
    body += c.toString("utf8");
  });
  req.on("end", () => {
    received.push({ method: req.method ?? "", url: req.url ?? "", body, auth: req.headers.authorization });
    if (req.url?.startsWith("/callers/13800001234")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ customer: { level: "vip", openCases: 2 } }));
    } else if (req.url?.startsWith("/slow")) {
      hanging.add(res); // never answered: the verb's timeout must fire
      res.on("close", () => hanging.delete(res));
    } else if (req.url?.startsWith("/html")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html></html>");
    } else {
      res.writeHead(503);
      res.end();
    }
  });
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function httpFlow(url: string, method: "GET" | "POST", timeoutMs: number) {
  return flowOf({
    n: {
      verb: "http",
      url,
      method,
      ...(method === "POST" ? { body: { caller: "{{caller.number}}", dialled: "{{caller.dialled}}" } } : {}),
      timeoutMs,
      assign: { level: "customer.level", cases: "customer.openCases" },
      next: "end",
      fallback: "alt",
    },
  });
}

/** A scripted port for everything but time and HTTP, which are real here. */
class RealTimePort extends ScriptedPort<Clock> {
  override readonly http = fetchHttpClient({ headers: { authorization: "Bearer test-key" } });
  constructor() {
    super({}, systemClock);
  }
}

// Generous by default so that a loaded machine cannot turn an answer into a fallback.
async function run(url: string, method: "GET" | "POST" = "GET", timeoutMs = 5000) {
  const port = new RealTimePort();
  const t0 = performance.now();
  const result = await runFlow(httpFlow(url, method, timeoutMs), port, { caller: audioCaller });
  return { result, ms: performance.now() - t0, ids: result.path.map((s) => s.nodeId) };
}

describe("http verb with a real HTTP server", () => {
  it("GET: the answer's fields land in variables", async () => {
    const { result, ids } = await run(`${base}/callers/{{caller.number}}`);
    expect(ids).toEqual(["n", "end"]);
    expect(result.vars).toMatchObject({ level: "vip", cases: 2 });
    expect(received.at(-1)).toMatchObject({
      method: "GET",
      url: "/callers/13800001234",
      auth: "Bearer test-key",
    });
  });

  it("POST sends the rendered JSON body", async () => {
    const { ids } = await run(`${base}/callers/13800001234`, "POST");
    expect(ids).toEqual(["n", "end"]);
    expect(JSON.parse(received.at(-1)?.body ?? "")).toEqual({ caller: "13800001234", dialled: "12345" });
  });

  it("a server that does not answer: fallback at the timeout, not later", async () => {
    const { ids, ms } = await run(`${base}/slow`, "GET", 300);
    expect(ids).toEqual(["n", "alt"]);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3000);
  });

  it.each([
    ["a 503", "/down"],
    ["an HTML page", "/html"],
  ])("%s takes the fallback", async (_name, path) => {
    const { ids } = await run(`${base}${path}`);
    expect(ids).toEqual(["n", "alt"]);
  });

  it("a closed port takes the fallback", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { ids } = await run(`http://127.0.0.1:${port}/x`);
    expect(ids).toEqual(["n", "alt"]);
  });
});
