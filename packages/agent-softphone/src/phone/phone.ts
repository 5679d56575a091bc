import { C, UA, WebSocketInterface } from "jssip";
import type { RTCSession } from "jssip/lib/RTCSession.js";
import type { RTCSessionEvent } from "jssip/lib/UA.js";
import { Emitter } from "../app/emitter.js";

export type PhoneStatus = "stopped" | "connecting" | "registered" | "unregistered" | "failed";

export type CallPhase = "ringing" | "dialling" | "answering" | "up" | "ended";

/** What the desk shows of the SIP side of a call. */
export interface PhoneCall {
  /** JsSIP's session id (Call-ID + tags). */
  readonly sessionId: string;
  /** The server's call id from X-Hotline-Call-Id, to pair the SIP leg with `call.offered`. */
  readonly callId: string | null;
  readonly direction: "incoming" | "outgoing";
  /** The remote user part as the INVITE gives it (the server masks numbers where required). */
  readonly remote: string;
  phase: CallPhase;
  held: boolean;
  muted: boolean;
}

export interface PhoneEvents {
  status: (status: PhoneStatus, cause?: string) => void;
  /** An INVITE arrived: ring. */
  incoming: (call: PhoneCall) => void;
  /** Phase, hold or mute changed. */
  changed: (call: PhoneCall) => void;
  ended: (call: PhoneCall, cause: string) => void;
  /** Remote audio to play (attach to an <audio> element). */
  remoteStream: (stream: MediaStream) => void;
}

export interface PhoneOptions {
  /** ws(s)://host/sip */
  wsUrl: string;
  userId: string;
  password: string;
  /** SIP domain (the account is sip:<userId>@<domain>). */
  domain: string;
  displayName?: string;
  /** The microphone to answer with (deviceId from enumerateDevices), read at answer time. */
  micDeviceId?: () => string | undefined;
}

/** The header the server puts on an INVITE to an agent, carrying its own call id. */
export const CALL_ID_HEADER = "X-Hotline-Call-Id";

/**
 * The agent's SIP phone over WebSocket (JsSIP): register, ring on INVITE, answer with the chosen
 * microphone, hold / retrieve (re-INVITE with a=sendonly, RFC 3264 §8.4), mute (local track
 * off, no signalling), DTMF as RFC 4733 telephone-events in RTP. One call at a time: the ACD
 * never offers a second call to a busy agent, so a second INVITE is refused with 486.
 *
 * A dropped WebSocket is recovered by JsSIP itself (connection_recovery_*), and it registers
 * again on reconnect because `register: true`; the page needs no reload. A call whose media is
 * up survives a signalling drop as long as the server keeps the dialog.
 */
export class Phone {
  private readonly events = new Emitter<PhoneEvents>();
  private ua: UA | null = null;
  private session: RTCSession | null = null;
  private current: PhoneCall | null = null;
  private status: PhoneStatus = "stopped";

  constructor(private readonly opts: PhoneOptions) {}

  on<K extends keyof PhoneEvents>(event: K, listener: PhoneEvents[K]): () => void {
    return this.events.on(event, listener);
  }

  get phoneStatus(): PhoneStatus {
    return this.status;
  }

  get call(): PhoneCall | null {
    return this.current;
  }

  start(): void {
    if (this.ua) return;
    const socket = new WebSocketInterface(this.opts.wsUrl);
    const ua = new UA({
      sockets: [socket],
      uri: `sip:${this.opts.userId}@${this.opts.domain}`,
      password: this.opts.password,
      display_name: this.opts.displayName,
      register: true,
      register_expires: 300,
      session_timers: false,
      // Home agents on flaky links: retry fast first, never wait more than 30 s.
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
      user_agent: "hotline12345-softphone",
    });
    this.ua = ua;
    ua.on("connecting", () => this.setStatus("connecting"));
    ua.on("disconnected", () => this.setStatus("connecting", "disconnected"));
    ua.on("registered", () => this.setStatus("registered"));
    ua.on("unregistered", () => this.setStatus("unregistered"));
    ua.on("registrationFailed", (e) => this.setStatus("failed", e.cause));
    ua.on("newRTCSession", (e: RTCSessionEvent) => this.onSession(e));
    ua.start();
  }

  /** Hangs up, unregisters and closes the socket. Idempotent. */
  stop(): void {
    const ua = this.ua;
    if (!ua) return;
    this.ua = null;
    try {
      this.session?.terminate();
    } catch {
      // Already ended.
    }
    ua.stop();
    this.setStatus("stopped");
    this.events.clear();
  }

  async answer(): Promise<void> {
    const s = this.session;
    const c = this.current;
    if (!s || !c || c.phase !== "ringing") return;
    const deviceId = this.opts.micDeviceId?.();
    c.phase = "answering";
    this.events.emit("changed", c);
    s.answer({
      mediaConstraints: { audio: deviceId ? { deviceId: { exact: deviceId } } : true, video: false },
    });
  }

  hangup(): void {
    const s = this.session;
    if (!s || s.isEnded()) return;
    s.terminate();
  }

  hold(): void {
    const s = this.session;
    if (s?.isEstablished() && !s.isOnHold().local) s.hold();
  }

  retrieve(): void {
    const s = this.session;
    if (s?.isEstablished() && s.isOnHold().local) s.unhold();
  }

  setMuted(muted: boolean): void {
    const s = this.session;
    if (!s?.isEstablished()) return;
    if (muted) s.mute({ audio: true });
    else s.unmute({ audio: true });
  }

  /**
   * RFC 4733 telephone-events in the RTP stream (WebRTC's RTCDTMFSender): JsSIP's default is
   * SIP INFO, which the media side does not read.
   */
  sendDtmf(tones: string): void {
    const s = this.session;
    if (!s?.isEstablished() || !/^[0-9A-D#*,]+$/.test(tones)) return;
    s.sendDTMF(tones, { transportType: C.DTMF_TRANSPORT.RFC2833, duration: 100, interToneGap: 70 });
  }

  private setStatus(status: PhoneStatus, cause?: string): void {
    if (this.status === status && status !== "failed") return;
    this.status = status;
    this.events.emit("status", status, cause);
  }

  private onSession(e: RTCSessionEvent): void {
    const s = e.session;
    if (this.session && !this.session.isEnded()) {
      // RFC 3261 §21.4.7 486 Busy Here: the desk handles one call at a time.
      s.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    const incoming = e.originator === "remote";
    const callId = incoming ? (e.request.getHeader(CALL_ID_HEADER) ?? null) : null;
    const call: PhoneCall = {
      sessionId: s.id,
      callId: callId && callId.length > 0 ? callId : null,
      direction: incoming ? "incoming" : "outgoing",
      remote: s.remote_identity.uri.user,
      phase: incoming ? "ringing" : "dialling",
      held: false,
      muted: false,
    };
    this.session = s;
    this.current = call;
    const changed = () => this.events.emit("changed", call);
    s.on("peerconnection", (ev) => {
      ev.peerconnection.addEventListener("track", (t: RTCTrackEvent) => {
        const stream = t.streams[0] ?? new MediaStream([t.track]);
        this.events.emit("remoteStream", stream);
      });
    });
    s.on("confirmed", () => {
      call.phase = "up";
      changed();
    });
    s.on("hold", () => {
      call.held = s.isOnHold().local;
      changed();
    });
    s.on("unhold", () => {
      call.held = s.isOnHold().local;
      changed();
    });
    s.on("muted", () => {
      call.muted = true;
      changed();
    });
    s.on("unmuted", () => {
      call.muted = false;
      changed();
    });
    const end = (cause: string) => {
      if (call.phase === "ended") return;
      call.phase = "ended";
      if (this.session === s) {
        this.session = null;
        this.current = null;
      }
      this.events.emit("ended", call, cause);
    };
    s.on("ended", (ev) => end(ev.cause));
    s.on("failed", (ev) => end(ev.cause));
    if (incoming) this.events.emit("incoming", call);
  }
}
