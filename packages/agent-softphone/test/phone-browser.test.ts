/**
 * The desk's JsSIP phone in real Chromium: after sign-in it registers over WebSocket with digest
 * auth (RFC 7118, RFC 8760) at this project's SIP stack and registrar, and when the WebSocket
 * drops (the SIP server restarts) it registers again by itself, with no page reload. A call
 * offered to the desk rings, is answered with the (fake) microphone whose audio reaches the far
 * end, is held and retrieved by re-INVITE, and is hung up with BYE. The far end is a second
 * Chromium page's RTCPeerConnection, its SDP carried by the test over the SIP stack.
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
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type BuiltApp, chromiumAvailable, launchChromium, serveBuiltApp } from "./browser.js";
import { startTestServer, type TestServer } from "./server.js";

const run = chromiumAvailable();
// expect.poll gives up after 1 s by default: too short for a browser on a busy two-core machine.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

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

  /** The far end's answer to a re-INVITE: its own SDP with the direction mirrored (RFC 3264 §6). */
  function answerReoffer(ownSdp: string, reoffer: string): string {
    const dir = /a=(sendonly|recvonly|inactive|sendrecv)/.exec(reoffer)?.[1] ?? "sendrecv";
    const mirrored = dir === "sendonly" ? "recvonly" : dir === "recvonly" ? "sendonly" : dir;
    // The desk answered the first offer as DTLS client (setup:active); the far end stays server.
    return ownSdp
      .replace(/a=(sendonly|recvonly|inactive|sendrecv)/g, `a=${mirrored}`)
      .replace(/a=setup:actpass/g, "a=setup:passive");
  }

  it("rings, answers with the microphone, holds and retrieves, hangs up", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const desk = await ctx.newPage();
    const far = await ctx.newPage();
    try {
      // Record what the page hands to WebRTC's DTMF sender; the real sender still sends.
      await desk.addInitScript(() => {
        const w = window as unknown as { dtmfSent: string[] };
        w.dtmfSent = [];
        const insert = RTCDTMFSender.prototype.insertDTMF;
        RTCDTMFSender.prototype.insertDTMF = function (tones: string, duration?: number, gap?: number) {
          w.dtmfSent.push(tones);
          return insert.call(this, tones, duration, gap);
        };
      });
      await desk.goto(app.url);
      await desk.getByLabel("工号").fill("1002");
      await desk.getByLabel("密码").fill("hotline-1002");
      await desk.getByRole("button", { name: "登录" }).click();
      await expect
        .poll(() => desk.getByTestId("phone-status").textContent(), { timeout: 15_000 })
        .toBe("话机已注册");
      const binding = sip.registrar.lookup("sip:1002@localhost")[0];
      if (!binding) throw new Error("1002 not registered");

      // The server's screen-pop event, sent through the real server's socket.io to 1002's room.
      t.server.io.to("agent:1002").emit("call.offered", {
        callId: "c-77",
        queueId: "general",
        caller: "138****1234",
        waitedSeconds: 12,
        attached: { topic: "social-security" },
        screenPopUrl: "/biz/ticket?call={callId}&from={caller}&topic={attached.topic}",
      });
      await expect.poll(() => desk.getByTestId("caller").textContent()).toBe("138****1234");

      // The far end: a peer connection with the fake microphone, offering.
      await far.goto(app.url);
      const offer = await far.evaluate(async () => {
        const pc = new RTCPeerConnection();
        const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
        for (const tr of mic.getTracks()) pc.addTrack(tr, mic);
        (window as unknown as { pc: RTCPeerConnection }).pc = pc;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((resolve) => {
          if (pc.iceGatheringState === "complete") resolve();
          pc.addEventListener("icegatheringstatechange", () => {
            if (pc.iceGatheringState === "complete") resolve();
          });
        });
        return pc.localDescription?.sdp ?? "";
      });
      const out = sip.stack.invite(binding.contact, {
        from: "<sip:12345@localhost>",
        to: "<sip:1002@localhost>",
        destination: binding.source,
        body: offer,
        contentType: "application/sdp",
        headers: [["X-Hotline-Call-Id", "c-77"]],
      });
      const answerButton = desk.getByRole("button", { name: "接听" });
      await expect.poll(() => answerButton.isEnabled(), { timeout: 10_000 }).toBe(true);
      const pressed = performance.now();
      await desk.keyboard.press("F2");
      const dialog = await out.dialog;
      const answer = dialog.remoteBody?.toString() ?? "";
      expect(answer).toContain("a=sendrecv");
      // RFC 4733 telephone-events are negotiated for the keypad.
      expect(answer).toMatch(/a=rtpmap:\d+ telephone-event\/8000/);
      await far.evaluate(async (sdp) => {
        await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({
          type: "answer",
          sdp,
        });
      }, answer);

      // Screen pop on answer (the default): the queue's page beside the call, template filled.
      await expect
        .poll(() => desk.locator(".screen-pop iframe").getAttribute("src"))
        .toBe(`/biz/ticket?call=c-77&from=${encodeURIComponent("138****1234")}&topic=social-security`);

      // The desk's microphone is heard at the far end.
      const bytesIn = () =>
        far.evaluate(async () => {
          const stats = await (window as unknown as { pc: RTCPeerConnection }).pc.getStats();
          let n = 0;
          stats.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
            if (s.type === "inbound-rtp" && s.kind === "audio") n += s.bytesReceived ?? 0;
          });
          return n;
        });
      await expect.poll(bytesIn, { timeout: 15_000, interval: 50 }).toBeGreaterThan(1000);
      console.info(
        `softphone: F2 to 1 kB of the desk's audio at the far end: ${Math.round(performance.now() - pressed)} ms`,
      );

      // Keypad: digits go into the RTP stream as RFC 4733 events, not as SIP INFO (JsSIP's default).
      const inDialog: string[] = [];
      dialog.on("request", (inc) => {
        inDialog.push(inc.request.method);
        inc.respond(200);
      });
      await desk.getByRole("button", { name: "拨号盘" }).click();
      await desk.getByRole("button", { name: "5", exact: true }).click();
      await desk.getByRole("button", { name: "#", exact: true }).click();
      await expect
        .poll(() => desk.evaluate(() => (window as unknown as { dtmfSent: string[] }).dtmfSent))
        .toEqual(["5", "#"]);
      expect(inDialog).not.toContain("INFO");

      // socket.io drops and comes back during the call: the call (SIP and media) is untouched.
      const before = await bytesIn();
      t.server.io.disconnectSockets(true);
      expect(await t.server.io.in("agent:1002").fetchSockets()).toHaveLength(0);
      await expect
        .poll(async () => (await t.server.io.in("agent:1002").fetchSockets()).length)
        .toBeGreaterThanOrEqual(1);
      await expect.poll(() => desk.getByText("连接已断开").count()).toBe(0);
      await expect.poll(bytesIn).toBeGreaterThan(before + 1000);
      expect(await desk.getByRole("button", { name: "挂机" }).isEnabled()).toBe(true);

      // F6: hold by re-INVITE (the desk offers sendonly), F6 again: retrieve (sendrecv).
      const reoffers: string[] = [];
      let acked = 0;
      dialog.on("reinvite", (inc) => {
        const body = inc.request.body?.toString() ?? "";
        reoffers.push(body);
        void inc
          .accept({ body: answerReoffer(offer, body), contentType: "application/sdp" })
          .then(() => {
            acked++;
          })
          .catch(() => undefined);
      });
      await desk.keyboard.press("F6");
      await expect
        .poll(() => desk.getByRole("button", { name: "取回" }).count(), { timeout: 10_000 })
        .toBe(1);
      // JsSIP shows hold at once; the re-INVITE follows.
      await expect.poll(() => reoffers.length, { timeout: 10_000 }).toBe(1);
      expect(reoffers[0]).toMatch(/a=sendonly/);
      // The hold's INVITE transaction must be over (ACKed) before the next one: RFC 3261 §14.1
      // forbids a second re-INVITE while one is pending, and JsSIP refuses the retrieve then.
      await expect.poll(() => acked, { timeout: 10_000 }).toBe(1);
      await desk.keyboard.press("F6");
      await expect
        .poll(() => desk.getByRole("button", { name: "保持" }).count(), { timeout: 10_000 })
        .toBe(1);
      await expect.poll(() => reoffers.length, { timeout: 10_000 }).toBe(2);
      expect(reoffers[1]).toMatch(/a=sendrecv/);

      // F4: hang up with BYE.
      const ended = new Promise<string>((resolve) => dialog.on("terminated", resolve));
      await desk.keyboard.press("F4");
      expect(await ended).toBe("bye");
      await expect.poll(() => desk.getByTestId("call-controls").textContent()).toContain("当前无通话");
      await expect.poll(() => desk.getByTestId("incoming-call").count()).toBe(0);
    } finally {
      await far.close();
      await desk.close();
    }
  }, 90_000);

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
    const back = performance.now();
    expect(sip.registrar.lookup("sip:1001@localhost")).toHaveLength(0);
    await expect
      .poll(() => sip.registrar.lookup("sip:1001@localhost").length, { timeout: 30_000, interval: 50 })
      .toBe(1);
    console.info(
      `softphone: registered again ${Math.round(performance.now() - back)} ms after the SIP server returned`,
    );
    await expect.poll(() => status.textContent()).toBe("话机已注册");
    expect(loads).toBe(1);
  }, 90_000);
});
