/**
 * The desk's JsSIP phone in real Chromium: after sign-in it registers over WebSocket with digest
 * auth (RFC 7118, RFC 8760) at this project's SIP stack and registrar, and when the WebSocket
 * drops (the SIP server restarts) it registers again by itself, with no page reload.
 * The REST side is the real acd-server; /sip is routed to a packages/sip stack of its own here,
 * because the server's SIP engine is not wired into its HTTP server for every setup yet.
 */
import {
  createSipStack,
  type DigestAlgorithm,
  DigestAuthenticator,
  type IncomingRequest,
  Registrar,
  type SipStack,
} from "@hotline12345/sip";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltApp, chromiumAvailable, launchChromium, serveBuiltApp } from "./browser.js";
import { startTestServer, type TestServer } from "./server.js";

const run = chromiumAvailable();

interface SipServer {
  stack: SipStack;
  registrar: Registrar;
  port: number;
  close(): Promise<void>;
}

async function startSip(port = 0): Promise<SipServer> {
  const stack = await createSipStack({ ws: { address: "127.0.0.1", port } });
  // JsSIP 3.x answers the last WWW-Authenticate it reads and knows MD5 only: MD5 goes last.
  const algorithms = (_inc: IncomingRequest): DigestAlgorithm[] => ["SHA-256", "MD5"];
  const auth = new DigestAuthenticator({
    realm: "localhost",
    lookup: async (u) => (/^\d{4}$/.test(u) ? `hotline-${u}` : undefined),
    algorithms,
    clock: stack.clock,
  });
  const registrar = new Registrar(stack, { authenticator: auth, minExpires: 1 }).attach();
  const ws = stack.transports.find((t) => t.protocol === "ws");
  if (!ws) throw new Error("no ws transport");
  return {
    stack,
    registrar,
    port: ws.local.port,
    close: async () => {
      registrar.close();
      await stack.close();
    },
  };
}

describe.runIf(run)("JsSIP phone in Chromium", () => {
  let t: TestServer;
  let sip: SipServer;
  let app: BuiltApp;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    t = await startTestServer();
    sip = await startSip();
    app = await serveBuiltApp(t.url, `ws://127.0.0.1:${sip.port}`);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await page?.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await sip?.close();
    await t?.close();
  });

  it("registers after sign-in, and registers again after the WebSocket drops, without a reload", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    page = await ctx.newPage();
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(app.url);
    await page.getByLabel("工号").fill("1001");
    await page.getByLabel("密码").fill("hotline-1001");
    await page.getByRole("button", { name: "登录" }).click();
    const status = page.getByTestId("phone-status");
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe("话机已注册");
    const first = sip.registrar.lookup("sip:1001@localhost");
    expect(first).toHaveLength(1);
    expect(first[0]!.source.protocol).toBe("ws");

    // The SIP server goes away and comes back on the same port, with no bindings.
    const port = sip.port;
    await sip.close();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).not.toBe("话机已注册");
    sip = await startSip(port);
    expect(sip.registrar.lookup("sip:1001@localhost")).toHaveLength(0);
    await expect
      .poll(() => sip.registrar.lookup("sip:1001@localhost").length, { timeout: 30_000, interval: 200 })
      .toBe(1);
    await expect.poll(() => status.textContent()).toBe("话机已注册");
    expect(loads).toBe(1);
  }, 90_000);
});
