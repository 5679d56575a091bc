import { randomUUID } from "node:crypto";
import type { EndpointHandle, DtmfKey as MediaDtmfKey, MediaEngine } from "@hotline12345/media";
import type { Dialog, IncomingRequest, OutgoingInvite } from "@hotline12345/sip";
import type { DtmfKey, HangupCause, Leg, LegEvents, LegParty, Playback, PlayOptions } from "../port.js";

type Listener<K extends keyof LegEvents> = (e: LegEvents[K]) => void;

/**
 * SIP status for a refusal (RFC 3261 §21): busy 486, no answer 480, rejected 603,
 * unavailable 480, failed 500.
 */
const rejectStatus: Record<Exclude<HangupCause, "normal" | "shutdown">, number> = {
  busy: 486,
  "no-answer": 480,
  rejected: 603,
  unavailable: 480,
  failed: 500,
};

/**
 * One call leg of the embedded engine: a SIP dialog (or the INVITE that will make one) and the
 * RTP endpoint carrying its audio. The leg owns both: ending it sends BYE (or a final response)
 * and closes the endpoint, once.
 */
export class EmbeddedLeg implements Leg {
  readonly id = randomUUID();
  state: Leg["state"];
  #dialog: Dialog | undefined;
  #listeners: { [K in keyof LegEvents]: Set<Listener<K>> } = {
    dtmf: new Set(),
    ended: new Set(),
    held: new Set(),
  };
  #ending: Promise<void> | undefined;

  constructor(
    readonly direction: "inbound" | "outbound",
    readonly from: LegParty,
    readonly to: LegParty,
    readonly origin: string,
    readonly endpoint: EndpointHandle,
    /** The media worker group shared by every leg of one call. */
    readonly group: string,
    private readonly engine: MediaEngine,
    private readonly sip: { incoming?: IncomingRequest; outgoing?: OutgoingInvite },
    readonly mediaKind: "audio" | "video" = "audio",
  ) {
    this.state = direction === "inbound" ? "offered" : "early";
    endpoint.on("dtmf", (r) => this.#emit("dtmf", { key: r.key as DtmfKey, durationMs: r.durationMs }));
    sip.incoming?.on("cancel", () => void this.#ended("normal", "remote"));
  }

  get media(): "audio" | "video" {
    return this.mediaKind;
  }

  /** The dialog once established (tests, transfer). */
  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  /** @internal the engine hands the leg its dialog (outbound answer, or inbound accept). */
  adoptDialog(dialog: Dialog): void {
    this.#dialog = dialog;
    this.state = "answered";
    dialog.on("terminated", (reason) => {
      void this.#ended(
        reason === "local-bye" ? "normal" : reason === "bye" ? "normal" : "failed",
        reason === "local-bye" ? "local" : "remote",
      );
    });
    dialog.on("reinvite", (inc) => {
      // Hold and resume arrive as re-INVITEs (RFC 3264 §8.4): answer from the same endpoint.
      const offer = inc.request.body.toString();
      const held = /a=(sendonly|inactive)/.test(offer);
      this.endpoint
        .createAnswer(offer)
        .then((answer) => inc.accept({ body: answer }))
        .then(() => this.#emit("held", { held }))
        .catch(() => inc.respond(488));
    });
    dialog.on("request", (inc) => {
      // INFO carrying DTMF (application/dtmf-relay), as some desk phones send it.
      if (inc.method === "INFO") {
        const m = /Signal\s*=\s*([0-9A-D*#])/i.exec(inc.request.body.toString());
        inc.respond(200);
        if (m?.[1]) this.#emit("dtmf", { key: m[1].toUpperCase() as DtmfKey, durationMs: 100 });
        return;
      }
      inc.respond(501);
    });
  }

  async ring(options: { earlyMedia?: boolean } = {}): Promise<void> {
    const inc = this.#incoming("ring");
    if (options.earlyMedia) {
      const answer = await this.endpoint.createAnswer(inc.request.body.toString());
      inc.respond(183, { body: answer, headers: [["Content-Type", "application/sdp"]] });
    } else inc.respond(180);
    this.state = "early";
  }

  async answer(): Promise<void> {
    const inc = this.#incoming("answer");
    const answer = await this.endpoint.createAnswer(inc.request.body.toString());
    const dialog = await inc.accept({ body: answer });
    this.adoptDialog(dialog);
  }

  async reject(cause: Exclude<HangupCause, "normal" | "shutdown">): Promise<void> {
    const inc = this.#incoming("reject");
    inc.respond(rejectStatus[cause]);
    await this.#ended(cause, "local");
  }

  play(files: readonly string[], options: PlayOptions = {}): Playback {
    let stopped = false;
    const started = this.engine.play(this.endpoint, [...files], {
      loop: options.loop ?? false,
      stopOnDtmf: options.bargeIn ?? false,
    });
    const done = started.then(
      (p) =>
        p.done.then((r) => ({
          key: r.reason === "dtmf" ? (r.key as DtmfKey) : null,
          stopped: stopped || r.reason === "stopped",
        })),
      () => ({ key: null, stopped: true }),
    );
    return {
      done,
      stop: async () => {
        stopped = true;
        const p = await started.catch(() => undefined);
        await p?.stop().catch(() => {});
      },
    };
  }

  async sendDtmf(key: DtmfKey): Promise<void> {
    await this.endpoint.sendDtmf(key as MediaDtmfKey);
  }

  async hold(): Promise<void> {
    await this.#reoffer("sendonly");
  }

  async unhold(): Promise<void> {
    await this.#reoffer("sendrecv");
  }

  async #reoffer(direction: "sendonly" | "sendrecv"): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog) return;
    const offer = await this.endpoint.createOffer(direction);
    const res = await dialog.modify(offer);
    if (res.status >= 200 && res.status < 300 && res.body.length > 0) {
      await this.endpoint.acceptAnswer(res.body.toString(), direction);
    }
  }

  hangup(cause: HangupCause = "normal"): Promise<void> {
    if (this.state === "ended") return this.#ending ?? Promise.resolve();
    // Ended first, with our cause: sending BYE ends the dialog at once ("local-bye"), and a
    // CANCEL fails the INVITE, and either would otherwise report the leg ended as "normal"
    // (or by the remote side) before this cause was recorded.
    const ending = this.#ended(cause, "local");
    if (this.#dialog) {
      void this.#dialog.bye().catch(() => undefined);
    } else if (this.sip.incoming && !this.sip.incoming.answered) {
      this.sip.incoming.respond(cause === "normal" || cause === "shutdown" ? 480 : rejectStatus[cause]);
    } else {
      this.sip.outgoing?.cancel();
    }
    return ending;
  }

  /** @internal the leg ended: close media once and tell the listeners. */
  ended(cause: HangupCause, by: "remote" | "local"): Promise<void> {
    return this.#ended(cause, by);
  }

  #ended(cause: HangupCause, by: "remote" | "local"): Promise<void> {
    this.#ending ??= (async () => {
      this.state = "ended";
      await this.endpoint.close().catch(() => undefined);
      this.#emit("ended", { cause, by });
    })();
    return this.#ending;
  }

  #incoming(what: string): IncomingRequest {
    const inc = this.sip.incoming;
    if (!inc || this.direction !== "inbound") throw new Error(`${what}: only an inbound leg can ${what}`);
    return inc;
  }

  on<K extends keyof LegEvents>(event: K, listener: (e: LegEvents[K]) => void): void {
    (this.#listeners[event] as Set<Listener<K>>).add(listener);
  }

  off<K extends keyof LegEvents>(event: K, listener: (e: LegEvents[K]) => void): void {
    (this.#listeners[event] as Set<Listener<K>>).delete(listener);
  }

  #emit<K extends keyof LegEvents>(event: K, e: LegEvents[K]): void {
    for (const l of [...(this.#listeners[event] as Set<Listener<K>>)]) {
      try {
        l(e);
      } catch {
        // A listener's failure never stops the leg.
      }
    }
  }
}
