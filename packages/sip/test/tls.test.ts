/** SIP over TLS and WSS when a certificate is configured (self-signed, made with openssl at run time). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseMessage } from "../src/parser.js";
import { createSipStack } from "../src/server.js";
import { SipStack } from "../src/stack.js";
import { WsTransport } from "../src/transport/ws.js";

let dir = "";
let key = Buffer.alloc(0);
let cert = Buffer.alloc(0);
const haveOpenssl = spawnSync("openssl", ["version"]).error === undefined;

beforeAll(() => {
  if (!haveOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), "sip-tls-"));
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "k.pem"),
      "-out",
      join(dir, "c.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  key = readFileSync(join(dir, "k.pem"));
  cert = readFileSync(join(dir, "c.pem"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveOpenssl)("TLS and WSS", () => {
  it("an OPTIONS over TLS (peer certificate verified) is answered over the same connection", async () => {
    const srv = await createSipStack({ tls: { address: "127.0.0.1", port: 0, tls: { key, cert } } });
    const cli = await createSipStack({
      tls: { address: "127.0.0.1", port: 0, tls: { key, cert, ca: cert } },
    });
    try {
      const port = srv.transports[0]!.local.port;
      const res = await cli.request(
        cli.createRequest("OPTIONS", `sip:127.0.0.1:${port};transport=tls`, { from: "<sip:a@127.0.0.1>" }),
      );
      expect(res.status).toBe(200);
      expect(res.topVia?.transport).toBe("TLS");
      // Without the CA the same server is not trusted: the request fails as a transport error (503).
      const strict = await createSipStack({ tls: { address: "127.0.0.1", port: 0, tls: { key, cert } } });
      try {
        const r2 = await strict.request(
          strict.createRequest("OPTIONS", `sip:127.0.0.1:${port};transport=tls`, {
            from: "<sip:b@127.0.0.1>",
          }),
        );
        expect(r2.status).toBe(503);
      } finally {
        await strict.close();
      }
    } finally {
      await Promise.all([srv.close(), cli.close()]);
    }
  });

  it("WSS on an HTTPS server at /sip: subprotocol sip, keep-alive pong, OPTIONS answered", async () => {
    const https = createServer({ key, cert });
    await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
    const t = await WsTransport.listen({ server: https, path: "/sip", secure: true });
    const stack = new SipStack({ transports: [t] });
    const port = (https.address() as { port: number }).port;
    const ws = new WebSocket(`wss://127.0.0.1:${port}/sip`, "sip", { rejectUnauthorized: false });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.on("open", () => resolve());
        ws.on("error", reject);
      });
      expect(ws.protocol).toBe("sip");
      const frames: string[] = [];
      ws.on("message", (d) => frames.push(d.toString()));
      ws.send("\r\n\r\n");
      ws.send(
        "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bKw1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: wss1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
      );
      const deadline = Date.now() + 3000;
      while (frames.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(frames[0]).toBe("\r\n");
      const res = parseMessage(frames[1]!);
      expect(res.kind === "response" && res.status).toBe(200);
      expect(t.connections).toBe(1);
    } finally {
      ws.close();
      await stack.close();
      await new Promise<void>((r) => https.close(() => r()));
    }
  });
});
