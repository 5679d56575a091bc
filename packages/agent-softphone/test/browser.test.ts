/**
 * The production bundle in real Chromium against the real acd-server: sign-in, the agent desk
 * showing the state the server holds (and nothing else), state changes by button and by
 * shortcut, a push from the server reaching the page, recovery after the server drops every
 * socket, the supervisor board and the wall screen. Screenshots are written to docs/softphone/
 * when HOTLINE_UPDATE_SCREENSHOTS=1 (to a temp dir otherwise).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client.js";
import { createSessionStore } from "../src/api/session-store.js";
import { type BuiltApp, chromiumAvailable, launchChromium, serveBuiltApp } from "./browser.js";
import { startTestServer, type TestServer } from "./server.js";

const run = chromiumAvailable();
// expect.poll gives up after 1 s by default: too short for a browser on a busy two-core machine.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });
const shotsDir = process.env.HOTLINE_UPDATE_SCREENSHOTS
  ? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "softphone")
  : mkdtempSync(join(tmpdir(), "hotline-shots-"));

describe.runIf(run)("softphone in Chromium", () => {
  let t: TestServer;
  let app: BuiltApp;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    app = await serveBuiltApp(t.url);
    browser = await launchChromium();
    mkdirSync(shotsDir, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await t?.close();
    if (!process.env.HOTLINE_UPDATE_SCREENSHOTS) rmSync(shotsDir, { recursive: true, force: true });
  });

  async function signIn(userId: string, path = "/", size = { width: 1366, height: 768 }): Promise<Page> {
    const ctx = await browser.newContext({ viewport: size, locale: "zh-CN" });
    const page = await ctx.newPage();
    pages.push(page);
    await page.goto(`${app.url}${path}`);
    await page.getByLabel("工号").fill(userId);
    await page.getByLabel("密码").fill(`hotline-${userId}`);
    await page.getByRole("button", { name: "登录" }).click();
    return page;
  }

  /**
   * These screenshots are the English UI (`*-en.png`), which also proves the language toggle on
   * every page; the Chinese ones, with a live call, come from tests/e2e/browser-agent.test.ts.
   */
  async function shot(page: Page, name: string, settled?: () => Promise<boolean>): Promise<void> {
    if ((await page.getByRole("button", { name: "English" }).count()) > 0) {
      await page.getByRole("button", { name: "English" }).click();
    } else {
      await page.evaluate(() => localStorage.setItem("hotline12345.language", "en"));
      await page.reload();
    }
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("en");
    if (settled) await expect.poll(settled).toBe(true);
    await page.screenshot({ path: join(shotsDir, name) });
  }

  async function serverApi(userId: string): Promise<ApiClient> {
    const api = new ApiClient({ baseUrl: t.url, store: createSessionStore() });
    await api.login(userId, `hotline-${userId}`);
    return api;
  }

  it("an agent signs in, the desk shows the server's state, goes ready and not ready", async () => {
    const page = await signIn("1001");
    const api = await serverApi("1001");
    const stateName = page.getByTestId("state-name");
    const label = { LOGGED_OUT: "未签入", NOT_READY: "示忙", READY: "示闲" } as const;
    const initial = (await api.myAgent()).state;
    await expect.poll(() => stateName.textContent()).toContain(label[initial as keyof typeof label]);

    if (initial === "LOGGED_OUT") {
      await page.getByRole("button", { name: "签入" }).click();
      await expect.poll(async () => (await api.myAgent()).state).toBe("NOT_READY");
    }
    await page.getByRole("button", { name: "示闲", exact: true }).click();
    await expect.poll(async () => (await api.myAgent()).state).toBe("READY");
    await expect.poll(() => stateName.textContent()).toBe("示闲");

    // F8 toggles ready / not ready.
    await page.keyboard.press("F8");
    await expect.poll(async () => (await api.myAgent()).state).toBe("NOT_READY");
    await expect.poll(() => stateName.textContent()).toMatch(/^示忙/);
    await page.keyboard.press("F8");
    await expect.poll(async () => (await api.myAgent()).state).toBe("READY");
    await shot(page, "agent-desk-en.png");
    await expect.poll(() => stateName.textContent()).toBe("Ready");
  }, 60_000);

  it("follows a change made elsewhere (pushed), and resyncs after the server drops its socket", async () => {
    const page = await signIn("1002");
    const api = await serverApi("1002");
    const stateName = page.getByTestId("state-name");
    await expect.poll(() => stateName.textContent()).not.toBe("");
    await api.setMyState("READY");
    await expect.poll(() => stateName.textContent()).toBe("示闲");

    t.server.io.disconnectSockets(true);
    // While the link is down the state changes; the page must show it once it reconnects.
    await api.setMyState("NOT_READY", (await api.notReadyReasons())[0]?.code);
    await expect.poll(() => stateName.textContent(), { timeout: 15_000 }).toMatch(/^示忙/);
    await expect.poll(() => page.getByText("连接已断开").count()).toBe(0);
  }, 60_000);

  it("a call routed by the real ACD: the desk shows the masked caller, then wrap-up counts down, extends, finishes", async () => {
    const page = await signIn("1003");
    const api = await serverApi("1003");
    const stateName = page.getByTestId("state-name");
    await expect.poll(() => stateName.textContent()).not.toBe("");
    await api.setMyState("READY");
    await expect.poll(() => stateName.textContent()).toBe("示闲");
    const acd = t.server.runtime.acd;
    const queueId = (await api.myAgent()).queues[0] ?? "general";
    await acd.enqueue({ callId: "acd-call-1", queueId, number: "13812345678", data: { topic: "water" } });
    // The ACD reserves this agent and the server pushes the offer, number masked for an agent.
    await expect.poll(() => page.getByTestId("caller").textContent()).toMatch(/^138\*+5678$/);
    expect(await page.getByTestId("incoming-call").textContent()).toContain("water");
    await acd.answered("1003");
    await expect.poll(() => stateName.textContent()).toBe("通话中");
    await acd.hangup("1003");
    await expect.poll(() => stateName.textContent()).toBe("话后处理");
    // Extend: the server's wrap-up end moves ~30 s ahead and the bar counts down to it.
    await page.getByRole("button", { name: /^延长/ }).click();
    await expect
      .poll(async () => Date.parse((await api.myAgent()).wrapUpEndsAt ?? "") - Date.now())
      .toBeGreaterThan(20_000);
    await expect.poll(() => page.getByTestId("wrap-up-left").textContent()).toMatch(/^剩余 00:[23]\d$/);
    await page.getByRole("button", { name: "完成处理" }).click();
    await expect.poll(async () => (await api.myAgent()).state).not.toBe("WRAP_UP");
    await expect.poll(() => stateName.textContent()).not.toBe("话后处理");
    await api.setMyState("NOT_READY", (await api.notReadyReasons())[0]?.code);
  }, 60_000);

  it("switches to English and back", async () => {
    const page = await signIn("1003");
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Sign out" }).count()).toBe(1);
    await page.getByRole("button", { name: "中文" }).click();
    await expect.poll(() => page.getByRole("button", { name: "退出" }).count()).toBe(1);
  }, 60_000);

  it("shows a wrong password by its code, in Chinese", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    pages.push(page);
    await page.goto(app.url);
    await page.getByLabel("工号").fill("1004");
    await page.getByLabel("密码").fill("wrong-password");
    await page.getByRole("button", { name: "登录" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("工号或密码错误");
  }, 60_000);

  it("the supervisor board lists agents with their live state", async () => {
    const agentApi = await serverApi("1004");
    await agentApi.setMyState("READY");
    const page = await signIn("2001", "/supervisor", { width: 1920, height: 1080 });
    const row = page.getByTestId("agent-1004");
    await expect.poll(() => row.textContent()).toContain("示闲");
    await agentApi.setMyState("NOT_READY", (await agentApi.notReadyReasons())[0]?.code);
    await expect.poll(() => row.textContent()).toContain("示忙");
    await shot(page, "supervisor-board-en.png");
  }, 60_000);

  it("the admin pages list users and show a refused change by its code", async () => {
    const page = await signIn("9001", "/admin", { width: 1366, height: 768 });
    await expect.poll(() => page.locator("table.grid tbody tr").count()).toBeGreaterThanOrEqual(6);
    await expect.poll(() => page.locator("table.grid").textContent()).toContain("1001");
    await page.locator("textarea").fill('{"id": "bad id!", "displayName": ""}');
    await page.getByRole("button", { name: "保存" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/^输入有误/);
  }, 60_000);

  it("the wall screen shows the server's figures and draws the hourly chart", async () => {
    const page = await signIn("2001", "/wallboard", { width: 1920, height: 1080 });
    const figures = await (await serverApi("2001")).wallboard();
    // The call the ACD routed to 1003 earlier in this file is counted.
    expect(figures.answeredToday).toBeGreaterThanOrEqual(1);
    await expect
      .poll(() => page.getByTestId("figure-answered").locator(".figure-value").textContent())
      .toBe(String(figures.answeredToday));
    await expect.poll(() => page.locator("[data-testid=hourly-chart] canvas").count()).toBeGreaterThan(0);
    await shot(
      page,
      "wall-screen-en.png",
      async () =>
        (await page.getByTestId("figure-answered").locator(".figure-value").textContent()) ===
          String(figures.answeredToday) &&
        (await page.locator("[data-testid=hourly-chart] canvas").count()) > 0,
    );
  }, 60_000);
});
