/**
 * JsSIP (the browser softphone's SIP library) running in Node over a real WebSocket against the
 * answering server: REGISTER with digest over WS (RFC 7118), a call from JsSIP with SDP offer/answer,
 * a call from the server routed back down the registered WebSocket, BYE both ways, unregister.
 * JsSIP needs an RTCPeerConnection to build SDP; no media flows here, so a minimal stand-in that
 * produces a fixed offer/answer is installed (SIP is what is under test, not WebRTC).
 */
import JsSIP from "jssip";
import type { RTCSession } from "jssip/lib/RTCSession.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type AnswerServer, startAnswerServer } from "./answer-server.js";

const SDP =
  "v=0\r\no=jssip 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n";

class FakePeerConnection extends EventTarget {
  static last: FakePeerConnection | undefined;
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  iceGatheringState = "complete";
  iceConnectionState = "connected";
  signalingState = "stable";
  constructor() {
    super();
    FakePeerConnection.last = this;
  }
  async createOffer() {
    return { type: "offer", sdp: SDP };
  }
  async createAnswer() {
    return { type: "answer", sdp: SDP };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remoteDescription = d;
  }
  getSenders() {
    return [];
  }
  getReceivers() {
    return [];
  }
  getLocalStreams() {
    return [];
  }
  close() {}
}

/** JsSIP's Socket interface over the `ws` package. */
class NodeWsSocket {
  readonly via_transport = "WS";
  readonly sip_uri: string;
  onconnect: () => void = () => {};
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => {};
  ondata: (data: string) => void = () => {};
  private ws: WebSocket | undefined;
  constructor(readonly url: string) {
    this.sip_uri = `sip:${new URL(url).host};transport=ws`;
  }
  connect(): void {
    const ws = new WebSocket(this.url, "sip");
    this.ws = ws;
    ws.on("open", () => this.onconnect());
    ws.on("message", (d) => this.ondata(d.toString()));
    ws.on("close", (code, reason) => this.ondisconnect(false, code, reason.toString()));
    ws.on("error", () => {});
  }
  disconnect(): void {
    this.ws?.close();
  }
  send(message: string): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(message);
    return true;
  }
  isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }
  isConnecting(): boolean {
    return this.ws?.readyState === WebSocket.CONNECTING;
  }
}

function event<T>(register: (resolve: (v: T) => void) => void, what: string, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

let server: AnswerServer;
let ua: JsSIP.UA | undefined;
const g = globalThis as unknown as Record<string, unknown>;

beforeEach(async () => {
  server = await startAnswerServer();
  g.window ??= globalThis;
  g.RTCPeerConnection = FakePeerConnection;
  g.RTCSessionDescription = class {
    constructor(init: { type: string; sdp: string }) {
      Object.assign(this, init);
    }
  };
});
afterEach(async () => {
  ua?.stop();
  ua = undefined;
  await server.close();
});

describe("JsSIP in Node over WebSocket", () => {
  it("registers with digest, calls the server, takes a call routed down its WebSocket, unregisters", async () => {
    const socket = new NodeWsSocket(`ws://127.0.0.1:${server.wsPort}/`);
    ua = new JsSIP.UA({
      sockets: [socket as unknown as JsSIP.Socket],
      uri: "sip:1001@localhost",
      password: "hotline-1001",
      register: true,
      session_timers: true,
      user_agent: "JsSIP-node-test",
    });
    const u = ua;
    if (process.env.JSSIP_DEBUG) JsSIP.debug.enable("JsSIP:*");
    const registered = event<void>((r) => u.on("registered", () => r()), "registered");
    u.start();
    await registered;
    const bindings = server.registrar.lookup("sip:1001@localhost");
    expect(bindings).toHaveLength(1);
    expect(bindings[0]!.source.protocol).toBe("ws");
    expect(bindings[0]!.source.connectionId).toBeDefined();

    // JsSIP calls the server.
    const session = u.call("sip:echo@localhost", {
      mediaConstraints: { audio: false, video: false },
    }) as RTCSession;
    await event<void>((r) => session.on("confirmed", () => r()), "confirmed");
    expect(FakePeerConnection.last?.remoteDescription?.sdp).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
    const ended = event<void>((r) => session.on("ended", () => r()), "ended");
    session.terminate();
    await ended;
    await event<void>((r) => {
      const tick = () => (server.stats.byes === 1 ? r() : setTimeout(tick, 5));
      tick();
    }, "BYE at the server");

    // The server calls JsSIP: the INVITE goes down the WebSocket the browser registered on.
    const incoming = event<RTCSession>(
      (r) =>
        u.on("newRTCSession", (e: { session: RTCSession; originator: string }) => {
          if (e.originator === "remote") r(e.session);
        }),
      "incoming call",
    );
    const b = bindings[0]!;
    const out = server.stack.invite(b.contact, {
      from: "<sip:12345@localhost>",
      to: "<sip:1001@localhost>",
      destination: b.source,
      body: "v=0\r\no=srv 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n",
    });
    const inSession = await incoming;
    const remoteEnded = event<void>((r) => inSession.on("ended", () => r()), "ended by server");
    inSession.answer({ mediaConstraints: { audio: false, video: false } });
    const dialog = await out.dialog;
    expect(dialog.remoteBody?.toString()).toContain("o=jssip");
    const bye = await dialog.bye();
    expect(bye?.status).toBe(200);
    await remoteEnded;

    const unregistered = event<void>((r) => u.on("unregistered", () => r()), "unregistered");
    u.unregister();
    await unregistered;
    expect(server.registrar.lookup("sip:1001@localhost")).toHaveLength(0);
  });
});
