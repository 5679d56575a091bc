import { randomUUID } from "node:crypto";
import type { MediaEngine } from "@hotline12345/media";
import {
  type Binding,
  type DigestAuthenticator,
  type IncomingRequest,
  parseNameAddr,
  type Registrar,
  SipError,
  type SipStack,
  serializeUri,
} from "@hotline12345/sip";
import type { Logger } from "pino";
import type {
  Bridge,
  Conference,
  ConferenceRole,
  IncomingCall,
  Leg,
  LegParty,
  OriginateRequest,
  OriginateResult,
  Recording,
  Switch,
  SwitchEvents,
} from "../port.js";
import { EmbeddedLeg } from "./leg.js";
import { trunkRequestUri } from "./trunk-request.js";
import type { InboundChoice, NoTrunkReason, OutboundChoice, TrunkRoutes } from "./trunk-routes.js";

/** A SIP trunk the switch accepts calls from without digest: by source address. */
export interface TrustedTrunk {
  id: string;
  addresses: readonly string[];
}

export interface EmbeddedSwitchOptions {
  sip: SipStack;
  registrar: Registrar;
  /** Challenges calls from registered devices (agents dialling feature codes or out). */
  authenticator: DigestAuthenticator;
  media: MediaEngine;
  domain: string;
  /** Other host parts devices register under for the same users (the server's IP addresses). */
  domainAliases?: readonly string[];
  /** Trunks until `useTrunks()` hands over the admin-edited ones (inbound only, no limits). */
  trunks: readonly TrustedTrunk[];
  log: Logger;
}

/** The fixed list of the options, as routes: inbound by address, no outbound trunk. */
function staticRoutes(trunks: readonly TrustedTrunk[]): TrunkRoutes {
  return {
    inbound(address): InboundChoice {
      const t = trunks.find((x) => x.addresses.includes(address));
      return t ? { kind: "trunk", claim: { trunkId: t.id, release: () => undefined } } : { kind: "none" };
    },
    outbound(): OutboundChoice {
      return { ok: false, reason: "no-trunk-serves-number" };
    },
  };
}

const noTrunkWhy: Record<NoTrunkReason, string> = {
  "no-trunk-serves-number": "no trunk serves this number",
  "all-trunks-down": "all trunks serving this number are down",
  "channel-limit": "every trunk serving this number is at its channel limit",
};

function party(value: string): LegParty {
  const na = parseNameAddr(value);
  return {
    number: na.uri.user ?? "",
    ...(na.displayName ? { displayName: na.displayName } : {}),
    uri: `${na.uri.scheme}:${na.uri.user ? `${na.uri.user}@` : ""}${na.uri.host}${na.uri.port ? `:${na.uri.port}` : ""}`,
  };
}

/** An offer from a browser: SRTP over DTLS with ICE (RFC 8827), not plain RTP/AVP. */
function webrtcOffer(sdp: string): boolean {
  return /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/.test(sdp);
}

/** SIP status of a failed attempt → the port's cause (RFC 3261 §21). */
function causeOf(status: number): "busy" | "no-answer" | "rejected" | "unavailable" | "failed" {
  if (status === 486 || status === 600) return "busy";
  if (status === 408 || status === 480 || status === 487) return "no-answer";
  if (status === 603 || status === 403) return "rejected";
  if (status === 404 || status === 410 || status === 503) return "unavailable";
  return "failed";
}

/**
 * The embedded engine: packages/sip for signalling and packages/media for audio, in this
 * process. A back-to-back user agent: every leg is its own dialog with its own RTP endpoint,
 * and the engine bridges, records and mixes endpoints. Legs of one call share a media worker
 * (their `group`), which the media engine needs to bridge them.
 */
export class EmbeddedSwitch implements Switch {
  readonly name = "embedded" as const;
  readonly #o: EmbeddedSwitchOptions;
  readonly #legs = new Set<EmbeddedLeg>();
  readonly #listeners: { [K in keyof SwitchEvents]: Set<(e: SwitchEvents[K]) => void> } = {
    incoming: new Set(),
    registration: new Set(),
  };
  #closing: Promise<void> | undefined;
  #trunks: TrunkRoutes;

  constructor(o: EmbeddedSwitchOptions) {
    this.#o = o;
    this.#trunks = staticRoutes(o.trunks);
    o.sip.onRequest("INVITE", (inc) => this.#onInvite(inc));
    const registration = (registered: boolean) => (b: Binding) => {
      const agentId = /^sips?:([^@]+)@/.exec(b.aor)?.[1] ?? "";
      if (!agentId) return;
      this.#emit("registration", {
        agentId,
        registered: registered || this.registered(agentId),
        transport: b.source.protocol,
      });
    };
    o.registrar.on("registered", registration(true));
    o.registrar.on("unregistered", registration(false));
    o.registrar.on("expired", registration(false));
  }

  get liveLegs(): number {
    return this.#legs.size;
  }

  /** The SIP stack, for services beside the switch (the trunks' OPTIONS probes). */
  get sip(): SipStack {
    return this.#o.sip;
  }

  /** Takes inbound trunks and outbound routes from now on (the trunk manager); no restart. */
  useTrunks(routes: TrunkRoutes): void {
    this.#trunks = routes;
  }

  async #onInvite(inc: IncomingRequest): Promise<void> {
    if (this.#closing) {
      inc.respond(503);
      return;
    }
    const trunk = this.#trunks.inbound(inc.source.address);
    if (trunk.kind === "full") {
      // RFC 3261 §21.5.4: the trunk's channels are all in use; the carrier may try another route.
      this.#o.log.warn({ trunk: trunk.trunkId }, "inbound call refused: trunk at its channel limit");
      inc.respond(503, { headers: [["Retry-After", "5"]] });
      return;
    }
    const release = trunk.kind === "trunk" ? trunk.claim.release : () => undefined;
    let origin: string;
    /** The digest username of a device's call: who it is, whatever its From says. */
    let authenticated: string | undefined;
    if (trunk.kind === "trunk") origin = trunk.claim.trunkId;
    else {
      // Not a trusted trunk: a registered device must prove who it is (RFC 3261 §22.2).
      const user = await this.#o.authenticator.authenticate(inc);
      if (user === undefined) return; // challenged (401) or refused; the authenticator answered
      origin = "registered";
      authenticated = user;
    }
    const body = inc.request.body.toString();
    if (!body.includes("m=audio")) {
      // Offerless INVITEs (RFC 3261 §13.2.1) are not supported by this engine yet.
      release();
      inc.respond(488);
      return;
    }
    const group = randomUUID();
    let endpoint: Awaited<ReturnType<MediaEngine["createRtpEndpoint"]>>;
    try {
      endpoint = await this.#endpointFor(webrtcOffer(body), group);
    } catch (err) {
      this.#o.log.error({ err }, "no media endpoint for an incoming call");
      release();
      inc.respond(503);
      return;
    }
    const from = party(inc.request.headers.get("From") ?? "");
    const leg = new EmbeddedLeg(
      "inbound",
      // A device's From is its own to write (RFC 3261 §20.20); the identity we act on (feature
      // codes, an agent's outbound call) is the one it proved with digest, as an RFC 3325
      // trusted domain asserts it.
      authenticated !== undefined ? { ...from, number: authenticated } : from,
      party(`<${inc.request.uri.scheme}:${inc.request.uri.user ?? ""}@${inc.request.uri.host}>`),
      origin,
      endpoint,
      group,
      this.#o.media,
      { incoming: inc },
      /m=video/.test(body) ? "video" : "audio",
    );
    this.#track(leg);
    // The trunk's channel is in use until this leg ends, whichever way it ends.
    leg.on("ended", release);
    // No 100 Trying here: the SIP stack's server transaction has already sent it (RFC 3261
    // §17.2.1), and a second one per INVITE only doubled the datagrams under load.
    this.#emit("incoming", { leg } satisfies IncomingCall);
  }

  /** A plain RTP endpoint for phones and trunks, a WebRTC one for browsers; both in `group`. */
  #endpointFor(webrtc: boolean, group: string) {
    return webrtc
      ? this.#o.media.createWebRtcEndpoint({ group })
      : this.#o.media.createRtpEndpoint({ group, inbandDtmf: true });
  }

  #track(leg: EmbeddedLeg): void {
    this.#legs.add(leg);
    leg.on("ended", () => this.#legs.delete(leg));
  }

  registered(agentId: string): boolean {
    return this.#bindings(agentId).length > 0;
  }

  /** An agent's devices, whichever of our names they registered under (localhost, an IP …). */
  #bindings(agentId: string): Binding[] {
    return [this.#o.domain, ...(this.#o.domainAliases ?? [])].flatMap((host) =>
      this.#o.registrar.lookup(`sip:${agentId}@${host}`),
    );
  }

  async originate(r: OriginateRequest): Promise<OriginateResult> {
    let target: string;
    let destination: Binding["source"] | undefined;
    let trunk: (OutboundChoice & { ok: true })["trunk"] | undefined;
    if (r.to.kind === "agent") {
      const b = this.#bindings(r.to.agentId)[0];
      if (!b) return { ok: false, cause: "unavailable" };
      // The device's Contact, reached over the flow it registered on (RFC 5626 §5.3: a browser
      // behind NAT is only reachable down its own WebSocket).
      target = serializeUri(b.contact);
      destination = b.source;
    } else if (r.to.kind === "uri") target = r.to.uri;
    else {
      const choice = this.#trunks.outbound(r.to.number);
      if (!choice.ok) {
        this.#o.log.warn(
          { number: r.to.number, reason: choice.reason },
          `outbound call refused: ${noTrunkWhy[choice.reason]}`,
        );
        return { ok: false, cause: "unavailable", detail: noTrunkWhy[choice.reason] };
      }
      trunk = choice.trunk;
      target = trunkRequestUri(trunk, r.to.number);
      // Straight to the trunk's address (no RFC 3263 lookup): the admin gave host, port, transport.
      destination = { protocol: trunk.transport, address: trunk.host, port: trunk.port };
    }

    const group = r.near instanceof EmbeddedLeg ? r.near.group : randomUUID();
    // A device registered over WebSocket is a browser: it speaks WebRTC (ICE, DTLS-SRTP).
    const browser = destination?.protocol === "ws" || destination?.protocol === "wss";
    let endpoint: Awaited<ReturnType<MediaEngine["createRtpEndpoint"]>>;
    try {
      endpoint = await this.#endpointFor(browser, group);
    } catch (err) {
      trunk?.release();
      throw err;
    }
    const offer = await endpoint.createOffer();
    const from = `"${r.callerName ?? r.callerNumber}" <sip:${r.callerNumber}@${this.#o.domain}>`;
    const headers = Object.entries(r.headers ?? {});
    // RFC 3325 §9.1: the identity the carrier shows the called party is the hotline number,
    // asserted by us as a trusted node; never the agent's own.
    if (trunk) headers.push(["P-Asserted-Identity", `<sip:${r.callerNumber}@${this.#o.domain}>`]);
    const invite = this.#o.sip.invite(target, {
      from,
      body: offer,
      headers,
      ...(destination ? { destination } : {}),
      ...(trunk?.credentials ? { credentials: trunk.credentials } : {}),
    });
    const leg = new EmbeddedLeg(
      "outbound",
      party(from),
      // The called party is the agent, not the device's Contact (whose user part is whatever
      // the phone chose, e.g. baresip's "1001-0x…").
      party(r.to.kind === "agent" ? `<sip:${r.to.agentId}@${this.#o.domain}>` : `<${target}>`),
      trunk ? trunk.trunkId : r.to.kind === "agent" ? "registered" : "uri",
      endpoint,
      group,
      this.#o.media,
      { outgoing: invite },
    );
    this.#track(leg);
    if (trunk) leg.on("ended", trunk.release);
    const timer = setTimeout(() => invite.cancel("timeout"), r.timeoutMs);
    const onAbort = () => invite.cancel("caller hung up");
    r.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const dialog = await invite.dialog;
      if (r.signal?.aborted) {
        await dialog.bye().catch(() => undefined);
        await leg.ended("normal", "local");
        return { ok: false, cause: "no-answer" };
      }
      await endpoint.acceptAnswer(dialog.remoteBody?.toString() ?? "");
      leg.adoptDialog(dialog);
      return { ok: true, leg };
    } catch (err) {
      const cause = err instanceof SipError ? causeOf(err.status) : "failed";
      this.#o.log.debug({ err, target }, "originate failed");
      await leg.ended(cause, "remote");
      return { ok: false, cause };
    } finally {
      clearTimeout(timer);
      r.signal?.removeEventListener("abort", onAbort);
    }
  }

  async bridge(a: Leg, b: Leg): Promise<Bridge> {
    const br = await this.#o.media.bridge(this.#leg(a).endpoint, this.#leg(b).endpoint);
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        await br.close().catch(() => undefined);
      },
    };
  }

  async record(path: string, sides: { caller: Leg; agent: Leg }): Promise<Recording> {
    const rec = await this.#o.media.record(path, {
      caller: this.#leg(sides.caller).endpoint,
      agent: this.#leg(sides.agent).endpoint,
    });
    let stopped: Promise<{ seconds: number }> | undefined;
    return {
      path: rec.path,
      pause: () => rec.pause(),
      resume: () => rec.resume(),
      stop: () => {
        stopped ??= rec.stop();
        return stopped;
      },
    };
  }

  async conference(): Promise<Conference> {
    const mix = await this.#o.media.mix();
    return {
      add: (leg: Leg, role: ConferenceRole = "full") =>
        mix.add(
          this.#leg(leg).endpoint,
          role === "full"
            ? "normal"
            : role === "listen"
              ? "listen"
              : { whisperTo: this.#leg(role.whisperTo).endpoint },
        ),
      remove: (leg: Leg) => mix.remove(this.#leg(leg).endpoint),
      close: () => mix.close(),
    };
  }

  async fork(
    legs: { caller: Leg; agent: Leg },
    url: string,
    header: { callId: string; callerNumber: string },
  ) {
    const f = await this.#o.media.fork(
      { caller: this.#leg(legs.caller).endpoint, agent: this.#leg(legs.agent).endpoint },
      { url, callId: header.callId, callerNumber: header.callerNumber },
    );
    return { stop: () => f.stop() };
  }

  #leg(leg: Leg): EmbeddedLeg {
    if (!(leg instanceof EmbeddedLeg)) throw new Error("a leg of another engine");
    return leg;
  }

  on<K extends keyof SwitchEvents>(event: K, listener: (e: SwitchEvents[K]) => void): void {
    (this.#listeners[event] as Set<(e: SwitchEvents[K]) => void>).add(listener);
  }

  #emit<K extends keyof SwitchEvents>(event: K, e: SwitchEvents[K]): void {
    for (const l of [...(this.#listeners[event] as Set<(e: SwitchEvents[K]) => void>)]) {
      try {
        l(e);
      } catch (err) {
        this.#o.log.error({ err, event }, "switch listener failed");
      }
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#legs].map((l) => l.hangup("shutdown").catch(() => undefined)));
    })();
    return this.#closing;
  }
}
