/**
 * Registrar and location service (RFC 3261 §10.3): REGISTER with expiry, several contacts per
 * address-of-record, unregister (one or `*`), bindings tied to the flow they came over (a browser's
 * WebSocket, RFC 7118 §5 / RFC 5626) so calls can be routed back down that connection.
 */
import type { Clock, TimerId } from "./clock.js";
import type { DigestAuthenticator } from "./digest.js";
import { TypedEmitter } from "./events.js";
import { type SipUri, serializeNameAddr, serializeUri } from "./grammar.js";
import type { IncomingRequest, SipStack } from "./stack.js";
import type { Endpoint } from "./transport/types.js";

export interface Binding {
  aor: string;
  contact: SipUri;
  /** The Contact value as given (display name and parameters kept). */
  contactValue: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER came from: requests to this binding go there (same connection if any). */
  source: Endpoint;
  username?: string | undefined;
}

export interface RegistrarOptions {
  /** Challenge REGISTER with digest (the user must match the AOR's user part). */
  authenticator?: DigestAuthenticator;
  /** Only AORs of these domains are served (default: any). */
  domains?: string[];
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
}

export type RegistrarEvents = {
  registered: [binding: Binding];
  unregistered: [binding: Binding];
  expired: [binding: Binding];
};

/** "sip:user@host" (scheme, user, host, lower-cased host): the AOR key (§10.3 step 5). */
export function aorOf(uri: SipUri): string {
  return `${uri.scheme === "sips" ? "sips" : "sip"}:${uri.user !== undefined ? `${uri.user}@` : ""}${uri.host.toLowerCase()}`;
}

export class Registrar extends TypedEmitter<RegistrarEvents> {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly timers = new Map<Binding, TimerId>();
  private readonly clock: Clock;
  private readonly min: number;
  private readonly max: number;
  private readonly def: number;

  constructor(
    private readonly stack: SipStack,
    private readonly opts: RegistrarOptions = {},
  ) {
    super();
    this.clock = stack.clock;
    this.min = opts.minExpires ?? 60;
    this.max = opts.maxExpires ?? 3600;
    this.def = opts.defaultExpires ?? 3600;
    // A flow that closes takes its bindings with it (RFC 5626 §4.4.1: the flow is the binding).
    stack.on("connectionClosed", (id) => {
      for (const list of [...this.bindings.values()]) {
        for (const b of [...list]) if (b.source.connectionId === id) this.drop(b, "expired");
      }
    });
  }

  /** Install as the stack's REGISTER handler. */
  attach(): this {
    this.stack.onRequest("REGISTER", (inc) => this.handle(inc));
    return this;
  }

  /** Current bindings of an AOR (e.g. "sip:1001@localhost"), best q first. */
  lookup(aor: string): Binding[] {
    return [...(this.bindings.get(aor.toLowerCase()) ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const l of this.bindings.values()) n += l.length;
    return n;
  }

  async handle(inc: IncomingRequest): Promise<void> {
    const req = inc.request;
    const to = req.to;
    // §10.3 step 3: the To header holds the address-of-record, which must be a SIP or SIPS URI
    // (RFC 4475 §3.3.4: "A registrar would reject this request with a 400").
    if (to.uri.scheme !== "sip" && to.uri.scheme !== "sips") {
      inc.respond(400, { reason: "AOR must be a SIP URI" });
      return;
    }
    if (this.opts.domains && !this.opts.domains.includes(to.uri.host.toLowerCase())) {
      inc.respond(404, { reason: "Not Found" });
      return;
    }
    let username: string | undefined;
    if (this.opts.authenticator) {
      username = await this.opts.authenticator.authenticate(inc);
      if (username === undefined) return;
      // §10.3 step 3: the authenticated user must be allowed to modify this AOR.
      if (username !== to.uri.user) {
        inc.respond(403);
        return;
      }
    }
    const aor = aorOf(to.uri).toLowerCase();
    const contacts = req.contacts;
    const headerExpires = req.headers.get("Expires");
    const now = this.clock.now();
    const callId = req.callId;
    const cseq = req.cseq.seq;
    if (contacts.some((c) => c.star)) {
      // §10.3 step 6: "*" only with Expires: 0 and as the only Contact.
      if (contacts.length !== 1 || headerExpires?.trim() !== "0") {
        inc.respond(400, { reason: "Invalid wildcard Contact" });
        return;
      }
      for (const b of this.lookup(aor)) this.drop(b, "unregistered");
      inc.respond(200);
      return;
    }
    const updates: Array<{ uri: SipUri; value: string; expires: number }> = [];
    for (const c of contacts) {
      const raw = c.params.get("expires") ?? headerExpires ?? String(this.def);
      const e = Number.parseInt(raw, 10);
      const expires = Number.isFinite(e) && e >= 0 ? Math.min(e, this.max) : this.def;
      // §10.3 step 7: "If [the expiration] is less than [the minimum] the registrar MUST reject ...
      // with a 423 (Interval Too Brief)" (zero is an unregistration, always allowed).
      if (expires > 0 && expires < this.min) {
        inc.respond(423, { headers: [["Min-Expires", String(this.min)]] });
        return;
      }
      updates.push({
        uri: c.uri,
        value: serializeNameAddr({ ...c, params: new Map([...c.params].filter(([k]) => k !== "expires")) }),
        expires,
      });
    }
    for (const u of updates) {
      const key = serializeUri(u.uri);
      const list = this.bindings.get(aor) ?? [];
      const existing = list.find((b) => serializeUri(b.contact) === key);
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        // §10.3 step 7: same Call-ID and a CSeq not higher: an old or repeated request.
        inc.respond(500, { reason: "Out of Order" });
        return;
      }
      if (u.expires === 0) {
        if (existing) this.drop(existing, "unregistered");
        continue;
      }
      const b: Binding = existing ?? {
        aor,
        contact: u.uri,
        contactValue: u.value,
        expiresAt: 0,
        callId,
        cseq,
        source: inc.source,
        username,
      };
      b.expiresAt = now + u.expires * 1000;
      b.callId = callId;
      b.cseq = cseq;
      b.source = inc.source;
      if (!existing) {
        list.push(b);
        this.bindings.set(aor, list);
      }
      this.arm(b, u.expires * 1000);
      this.emit("registered", b);
    }
    // §10.3 step 8: the 200 lists every current binding with its remaining expiry.
    const headers: Array<[string, string]> = this.lookup(aor).map((b) => [
      "Contact",
      `${b.contactValue};expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
    ]);
    inc.respond(200, { headers });
  }

  private arm(b: Binding, ms: number): void {
    const old = this.timers.get(b);
    if (old !== undefined) this.clock.clearTimer(old);
    this.timers.set(
      b,
      this.clock.setTimer(ms, () => {
        this.timers.delete(b);
        this.drop(b, "expired");
      }),
    );
  }

  private drop(b: Binding, why: "unregistered" | "expired"): void {
    const list = this.bindings.get(b.aor);
    if (!list) return;
    const i = list.indexOf(b);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.bindings.delete(b.aor);
    const t = this.timers.get(b);
    if (t !== undefined) this.clock.clearTimer(t);
    this.timers.delete(b);
    this.emit(why, b);
  }

  /** Idempotent: forget every binding and stop every timer. */
  close(): void {
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
    this.bindings.clear();
  }
}
