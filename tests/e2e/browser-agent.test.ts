import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { encodeWav, parseWav, wavSamples } from "@hotline12345/media";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitStereo, toneShare } from "../media-interop/support/audio.js";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const chromiumPath = "/usr/bin/chromium";
const repo = fileURLToPath(new URL("../..", import.meta.url));
const haveChromium = existsSync(chromiumPath) || (process.env.CI ? binaryAvailable("chromium") : false);
const havePeers = haveChromium && binaryAvailable("baresip");

/**
 * The whole path an agent at home uses: the softphone built and served by acd-server, signed in
 * in Chromium, its JsSIP phone registered over WebSocket at /sip; a SIP phone (baresip) dials
 * 12345; the embedded engine bridges the caller's RTP leg with the browser's WebRTC leg
 * (ICE, DTLS-SRTP) and records both.
 */
/** Headless Chromium whose fake microphone sends a sine of `hz` (so recordings tell voices apart). */
async function browserWithTone(dir: string, hz: number): Promise<Browser> {
  const mic = join(dir, `browser-mic-${hz}.wav`);
  const rate = 48_000;
  writeFileSync(
    mic,
    encodeWav(
      Int16Array.from({ length: rate * 60 }, (_, i) =>
        Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)),
      ),
      rate,
    ),
  );
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${mic}`,
      "--autoplay-policy=no-user-gesture-required",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * With HOTLINE_UPDATE_SCREENSHOTS=1 the live-call pages are saved to docs/softphone/ for the
 * README (the Chinese UI needs a CJK font: Debian's fonts-noto-cjk).
 */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.HOTLINE_UPDATE_SCREENSHOTS) return;
  await page.waitForTimeout(1500); // let the live figures and timers settle
  await page.screenshot({ path: join(repo, "docs", "softphone", name) });
}

/** Signs a user in on a fresh page and waits for its phone to register over WebSocket. */
async function signIn(h: Hotline, page: Page, userId: string, path = "/"): Promise<void> {
  page.on("console", (m) => {
    if (process.env.E2E_LOG)
      process.stderr.write(`browser ${userId} ${m.type()}: ${m.text().slice(0, 400)}\n`);
  });
  await page.goto(`${h.server.url}${path}`);
  await page.getByLabel("工号").fill(userId);
  await page.getByLabel("密码").fill(`hotline-${userId}`);
  await page.getByRole("button", { name: "登录" }).click();
  await expect
    .poll(() => page.getByTestId("phone-status").textContent(), { timeout: 20_000 })
    .toBe("话机已注册");
  await until(`${userId} registered over WebSocket`, 10_000, () =>
    h.server.engine?.switch.registered(userId),
  );
}

async function readyAt(h: Hotline, page: Page, agentId: string): Promise<void> {
  await page.getByRole("button", { name: "签入" }).click();
  await until(
    `${agentId} logged in`,
    10_000,
    async () => (await h.server.runtime.agentView(agentId)).state === "NOT_READY",
  );
  await page.getByRole("button", { name: "示闲", exact: true }).click();
  await until(
    `${agentId} ready`,
    10_000,
    async () => (await h.server.runtime.agentView(agentId)).state === "READY",
  );
}

// The production bundle, as `pnpm start` serves it, built once for every test here.
beforeAll(async () => {
  if (havePeers)
    await promisify(execFile)("pnpm", ["--filter", "@hotline12345/agent-softphone", "build"], { cwd: repo });
}, 180_000);

describe.skipIf(!havePeers)("a browser agent answers a phone caller through the server", () => {
  let h: Hotline;
  let browser: Browser;
  beforeAll(async () => {
    h = await Hotline.start();
    browser = await browserWithTone(h.dir, 600);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("rings the desk, F2 answers, F6 holds and retrieves, both voices are recorded in their channels, F4 hangs up into wrap-up", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on("console", (m) => {
      if (process.env.E2E_LOG) process.stderr.write(`browser ${m.type()}: ${m.text().slice(0, 400)}\n`);
    });
    await page.goto(h.server.url);
    await page.getByLabel("工号").fill("1001");
    await page.getByLabel("密码").fill("hotline-1001");
    await page.getByRole("button", { name: "登录" }).click();
    await expect
      .poll(() => page.getByTestId("phone-status").textContent(), { timeout: 20_000 })
      .toBe("话机已注册");
    await until("1001 registered over WebSocket", 10_000, () => h.server.engine?.switch.registered("1001"));
    // Signed in means logged out of the ACD: 签入 (log in), then 示闲 (ready).
    await page.getByRole("button", { name: "签入" }).click();
    await until(
      "1001 logged in",
      10_000,
      async () => (await h.server.runtime.agentView("1001")).state === "NOT_READY",
    );
    await page.getByRole("button", { name: "示闲", exact: true }).click();
    await until(
      "1001 ready",
      10_000,
      async () => (await h.server.runtime.agentView("1001")).state === "READY",
    );

    if (process.env.E2E_LOG) {
      for (const ev of ["call.queued", "call.offered", "call.requeued", "agent.state"] as const) {
        h.server.runtime.acd.events.on(ev, (e) =>
          process.stderr.write(`acd ${ev} ${JSON.stringify(e).slice(0, 300)}\n`),
        );
      }
    }
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => resolve(e.item.id)),
    );
    await h.dial("13812345678", 1000);
    const answerButton = page.getByRole("button", { name: "接听" });
    await expect.poll(() => answerButton.isEnabled(), { timeout: 30_000 }).toBe(true);
    // The caller's number reaches the agent's screen masked.
    await expect
      .poll(() => page.getByTestId("caller").textContent(), { timeout: 10_000 })
      .toBe("138****5678");
    await page.keyboard.press("F2");
    const callId = await answered;

    const recording = await h.recordingOf(callId);
    await h.recorded(recording.path, 4);
    // F6 holds (the desk re-INVITEs sendonly): the agent is on HOLD; F6 again retrieves.
    await page.keyboard.press("F6");
    await until(
      "1001 on hold",
      15_000,
      async () => (await h.server.runtime.agentView("1001")).state === "HOLD",
    );
    await page.keyboard.press("F6");
    await until(
      "1001 back on the call",
      15_000,
      async () => (await h.server.runtime.agentView("1001")).state === "ON_CALL",
    );
    // Two more seconds of conversation after the retrieve reach the recording.
    await h.recorded(recording.path, 2, statSync(recording.path).size);
    await page.keyboard.press("F4");
    await until(
      "1001 in after-call work",
      15_000,
      async () => (await h.server.runtime.agentView("1001")).state === "WRAP_UP",
    );
    const rec = await until("recording closed", 15_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("id", "=", recording.id)
        .where("seconds", "is not", null)
        .executeTakeFirst(),
    );
    const kinds = (
      await h.server.store.db
        .selectFrom("call_events")
        .select("kind")
        .where("call_id", "=", callId)
        .orderBy("id")
        .execute()
    ).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["answered", "held", "retrieved", "completed"]));
    expect(kinds.indexOf("held")).toBeLessThan(kinds.indexOf("retrieved"));
    const stereo = wavSamples(parseWav(readFileSync(rec.path)));
    const { left, right } = splitStereo(stereo);
    const lastSecond = (x: Int16Array) => x.subarray(Math.max(0, x.length - 12_000), x.length - 4000);
    expect(toneShare(lastSecond(left), 1000)).toBeGreaterThan(0.8);
    expect(toneShare(lastSecond(right), 600)).toBeGreaterThan(0.8);
    await page.close();
  }, 150_000);
});

describe.skipIf(!havePeers)("two browser agents and a supervisor on one call", () => {
  let h: Hotline;
  let browserA: Browser;
  let browserB: Browser;
  beforeAll(async () => {
    h = await Hotline.start();
    browserA = await browserWithTone(h.dir, 600);
    browserB = await browserWithTone(h.dir, 800);
    // The queue's screen pop opens the demo business page this server serves.
    const admin = await h.tokenOf("9001");
    const pop = await h.api("PATCH", "/api/queues/general", admin, {
      screenPopUrl: `${h.server.url}/demo/business?call={callId}&caller={caller}&service={data.service}`,
    });
    expect(pop.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await browserA?.close();
    await browserB?.close();
    await h?.close();
  });

  it("1001 answers, consults 1002 in another browser and completes the transfer; the supervisor listens; the wall screen counts the call; wrap-up, then ready", async () => {
    const deskA = await browserA.newPage({ viewport: { width: 1366, height: 768 } });
    const deskB = await (await browserB.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    const board = await (await browserB.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await signIn(h, deskA, "1001");
    await signIn(h, deskB, "1002");
    await signIn(h, board, "2001", "/supervisor");
    await readyAt(h, deskA, "1001");

    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1001") resolve(e.item.id);
      }),
    );
    const caller = await h.dial("13812345678", 1000);
    const answerA = deskA.getByRole("button", { name: "接听" });
    await expect.poll(() => answerA.isEnabled(), { timeout: 30_000 }).toBe(true);
    await deskA.keyboard.press("F2");
    const callId = await answered;
    await h.recordingOf(callId);
    await readyAt(h, deskB, "1002");

    // The supervisor listens from the board: their phone is rung and answered by the page.
    const row = board.getByTestId("agent-1001");
    await expect
      .poll(() => row.getByRole("button", { name: "监听" }).isVisible(), { timeout: 15_000 })
      .toBe(true);
    await row.getByRole("button", { name: "监听" }).click();
    await until("the supervisor on the call", 20_000, async () => {
      const res = await h.api("GET", `/api/calls/${callId}`, await h.tokenOf("2001"));
      const v = (await res.json()) as { monitors?: Array<{ supervisorId: string; mode: string }> };
      return v.monitors?.some((m) => m.supervisorId === "2001" && m.mode === "listen") || undefined;
    });
    // What the board plays is the call: its audio element carries sound.
    await expect
      .poll(
        () =>
          board.evaluate<number>(`(async () => {
            const el = document.querySelector("audio");
            const stream = el && el.srcObject;
            if (!(stream instanceof MediaStream)) return 0;
            const ctx = new AudioContext();
            const an = ctx.createAnalyser();
            ctx.createMediaStreamSource(stream).connect(an);
            await new Promise((r) => setTimeout(r, 500));
            const buf = new Float32Array(an.fftSize);
            an.getFloatTimeDomainData(buf);
            await ctx.close();
            return Math.sqrt(buf.reduce((s, x) => s + x * x, 0) / buf.length);
          })()`),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0.01);

    await screenshot(board, "supervisor-board.png");

    // Attended transfer from the desk: consult 1002, whose desk rings and answers, then complete.
    await deskA.getByRole("button", { name: "转接", exact: true }).click();
    await deskA.getByLabel("咨询转接").check();
    await deskA.getByLabel("目标").selectOption("1002");
    await deskA.getByRole("button", { name: "发起咨询" }).click();
    await expect.poll(() => deskA.getByTestId("consulting").isVisible(), { timeout: 10_000 }).toBe(true);
    const answerB = deskB.getByRole("button", { name: "接听" });
    await expect.poll(() => answerB.isEnabled(), { timeout: 30_000 }).toBe(true);
    await deskB.keyboard.press("F2");
    await until("1002 on the consult", 20_000, async () => {
      const res = await h.api("GET", `/api/calls/${callId}`, await h.tokenOf("1001"));
      const v = (await res.json()) as { consult?: { answered: boolean } };
      return v.consult?.answered || undefined;
    });
    await deskA.getByRole("button", { name: "完成转接" }).click();
    await until(
      "1001 in after-call work",
      15_000,
      async () =>
        ["WRAP_UP", "READY"].includes((await h.server.runtime.agentView("1001")).state) || undefined,
    );
    // The caller now talks with 1002's browser: a new recording segment, caller left, 800 Hz right.
    const seg = await until("the caller's recording with 1002", 20_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .where("agent_id", "=", "1002")
        .where("path", "like", "%-3.wav")
        .executeTakeFirst(),
    );
    await h.recorded(seg.path, 3);
    await screenshot(deskB, "agent-desk.png");

    // The wall screen counts the answered call.
    const wall = await (await browserB.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await signIn(h, wall, "2001", "/wallboard").catch(() => undefined);
    await expect
      .poll(
        async () =>
          Number((await wall.getByTestId("figure-answered").textContent())?.replace(/\D/g, "") || 0),
        {
          timeout: 15_000,
        },
      )
      .toBeGreaterThanOrEqual(1);
    await screenshot(wall, "wall-screen.png");

    // 1002 hangs up (F4): wrap-up, then ready again with 完成处理.
    await deskB.keyboard.press("F4");
    await until(
      "1002 in after-call work",
      15_000,
      async () => (await h.server.runtime.agentView("1002")).state === "WRAP_UP" || undefined,
    );
    // The desk shows the wrap-up the server holds (pushed), with its finish button.
    const finish = deskB.getByRole("button", { name: "完成处理" });
    await expect
      .poll(
        async () => `${await deskB.getByTestId("state-name").textContent()} ${await finish.isVisible()}`,
        {
          timeout: 20_000,
        },
      )
      .toMatch(/ true$/);
    await finish.click();
    await until(
      "1002 ready",
      15_000,
      async () => (await h.server.runtime.agentView("1002")).state === "READY" || undefined,
    );

    const rec = await until("segment closed", 15_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("id", "=", seg.id)
        .where("seconds", "is not", null)
        .executeTakeFirst(),
    );
    const { left, right } = splitStereo(wavSamples(parseWav(readFileSync(rec.path))));
    const lastSecond = (x: Int16Array) => x.subarray(Math.max(0, x.length - 12_000), x.length - 4000);
    expect(toneShare(lastSecond(left), 1000)).toBeGreaterThan(0.8);
    expect(toneShare(lastSecond(right), 800)).toBeGreaterThan(0.8);
    const kinds = (
      await h.server.store.db.selectFrom("call_events").select("kind").where("call_id", "=", callId).execute()
    ).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["monitored", "consult", "consult-answered", "transferred"]),
    );
    await caller.stop();
  }, 240_000);
});
