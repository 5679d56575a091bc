/**
 * Client registration (RFC 3261 §10.2): register an address-of-record with a registrar (a carrier
 * trunk), answer its digest challenge, refresh before expiry, unregister on close.
 */
import type { TimerId } from "./clock.js";
import { TypedEmitter } from "./events.js";
import type { SipResponse } from "./message.js";
import type { SipStack } from "./stack.js";
import type { Endpoint } from "./transport/types.js";

export interface RegistrationOptions {
  /** Registrar URI, e.g. "sip:trunk.example.net". */
  registrar: string;
  /** Address-of-record, e.g. "sip:12345@trunk.example.net". */
  aor: string;
  credentials?: { username: string; password: string };
  /** Requested expiry in seconds (default 600). */
  expires?: number;
  /** Contact to register (default: ours on the registrar's transport). */
  contact?: string;
  destination?: Endpoint;
}

export type RegistrationEvents = {
  registered: [expires: number];
  failed: [response: SipResponse];
  unregistered: [];
};

export class Registration extends TypedEmitter<RegistrationEvents> {
  private cseq = 1;
  private readonly callId: string;
  private timer: TimerId | undefined;
  private closed = false;
  /** Seconds the registrar granted last time (0: not registered). */
  expires = 0;

  constructor(
    private readonly stack: SipStack,
    private readonly opts: RegistrationOptions,
  ) {
    super();
    this.callId = `reg-${Math.random().toString(36).slice(2)}`;
  }

  /** Register now; resolves with the final response (and keeps refreshing on success). */
  async start(): Promise<SipResponse> {
    return this.send(this.opts.expires ?? 600);
  }

  private async send(expires: number): Promise<SipResponse> {
    const contact =
      this.opts.contact ??
      this.stack.contactFor(this.opts.destination?.protocol ?? this.stack.transports[0]?.protocol ?? "udp");
    // §10.2.4: "A UA SHOULD use the same Call-ID for all registrations during a single boot cycle"
    // and increment CSeq for each.
    const req = this.stack.createRequest("REGISTER", this.opts.registrar, {
      from: `<${this.opts.aor}>`,
      to: `<${this.opts.aor}>`,
      callId: this.callId,
      cseq: this.cseq,
      headers: [
        ["Contact", contact],
        ["Expires", String(expires)],
      ],
    });
    const res = await this.stack.request(req, {
      credentials: this.opts.credentials,
      destination: this.opts.destination,
    });
    // The digest retry (if any) used one more CSeq.
    this.cseq = Math.max(this.cseq, res.cseq.seq) + 1;
    if (res.status >= 200 && res.status < 300) {
      if (expires === 0) {
        this.expires = 0;
        this.emit("unregistered");
        return res;
      }
      // §10.2.4: the registrar's answer decides: the expires of our Contact, or the Expires header.
      const mine = res.contacts.find((c) => c.params.has("expires"));
      const granted = Number.parseInt(
        mine?.params.get("expires") ?? res.headers.get("Expires") ?? String(expires),
        10,
      );
      this.expires = Number.isFinite(granted) && granted > 0 ? granted : expires;
      this.schedule(Math.max(1, this.expires - Math.min(30, this.expires / 10)) * 1000);
      this.emit("registered", this.expires);
    } else if (res.status === 423 && expires !== 0) {
      // §10.2.8: retry with at least Min-Expires.
      const min = Number.parseInt(res.headers.get("Min-Expires") ?? "", 10);
      if (min > expires) return this.send(min);
      this.emit("failed", res);
    } else {
      this.expires = 0;
      this.emit("failed", res);
      // Try again later rather than hammering a registrar that refuses us.
      if (!this.closed) this.schedule(60_000);
    }
    return res;
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.stack.clearTimer(this.timer);
    this.timer = this.stack.setTimer(ms, () => {
      this.timer = undefined;
      if (!this.closed) void this.send(this.opts.expires ?? 600);
    });
  }

  /** Stop refreshing and unregister (Expires: 0). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.stack.clearTimer(this.timer);
    this.timer = undefined;
    if (this.expires > 0) await this.send(0);
  }
}
