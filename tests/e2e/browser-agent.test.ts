import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { encodeWav, parseWav, wavSamples } from "@hotline12345/media";
import { type Browser, chromium } from "playwright-core";
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
describe.skipIf(!havePeers)("a browser agent answers a phone caller through the server", () => {
  let h: Hotline;
  let browser: Browser;
  beforeAll(async () => {
    // The production bundle, as `pnpm start` serves it.
    await promisify(execFile)("pnpm", ["--filter", "@hotline12345/agent-softphone", "build"], { cwd: repo });
    h = await Hotline.start();
    const mic = join(h.dir, "browser-mic-600.wav");
    const rate = 48_000;
    writeFileSync(
      mic,
      encodeWav(
        Int16Array.from({ length: rate * 60 }, (_, i) =>
          Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * 600 * i) / rate)),
        ),
        rate,
      ),
    );
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        `--use-file-for-fake-audio-capture=${mic}`,
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
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
