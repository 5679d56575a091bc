import type { DtmfReport } from "./dtmf.js";
import { g711Transcode } from "./g711.js";
import type { MediaLeg } from "./leg.js";
import type { RtpPacket } from "./rtp.js";

export interface BridgeOptions {
  /** Regenerate RFC 4733 key presses received on one leg towards the other. Default true. */
  relayDtmf?: boolean;
}

/**
 * Connects two endpoints: each hears the other. Same codec: packets are relayed
 * with only SSRC/seq/timestamp rewritten (by each endpoint's OutboundStream);
 * different codecs: μ-law ⇄ A-law through linear PCM. A sequence gap on the input
 * is kept as a gap on the output, so the far end's own concealment sees the loss.
 */
export class Bridge {
  #closed = false;
  #bufAB = new Uint8Array(1024);
  #bufBA = new Uint8Array(1024);
  #unbind: (() => void)[] = [];

  constructor(
    readonly a: MediaLeg,
    readonly b: MediaLeg,
    opts: BridgeOptions = {},
  ) {
    this.#link(a, b, this.#bufAB);
    this.#link(b, a, this.#bufBA);
    if (opts.relayDtmf !== false) {
      this.#linkDtmf(a, b);
      this.#linkDtmf(b, a);
    }
    const onClose = (): void => this.close();
    a.on("close", onClose);
    b.on("close", onClose);
    this.#unbind.push(
      () => a.off("close", onClose),
      () => b.off("close", onClose),
    );
  }

  #link(from: MediaLeg, to: MediaLeg, scratch: Uint8Array): void {
    const onRtp = (p: RtpPacket): void => {
      if (from.law === to.law) {
        to.sendEncoded(from, p.sequenceNumber, p.timestamp, p.payload, p.marker);
        return;
      }
      const n = p.payload.length;
      if (scratch.length < n) scratch = new Uint8Array(n);
      const out = g711Transcode(from.law, to.law, p.payload, scratch).subarray(0, n);
      to.sendEncoded(from, p.sequenceNumber, p.timestamp, out, p.marker);
    };
    from.on("rtp", onRtp);
    this.#unbind.push(() => from.off("rtp", onRtp));
  }

  #linkDtmf(from: MediaLeg, to: MediaLeg): void {
    const onDtmf = (r: DtmfReport): void => {
      if (r.source !== "rfc4733" || to.closed || to.media?.telephoneEventPt === undefined) return;
      to.sendDtmf(r.key, r.durationMs).catch(() => {
        // Busy with another key or closed: the press is dropped, the call goes on.
      });
    };
    from.on("dtmf", onDtmf);
    this.#unbind.push(() => from.off("dtmf", onDtmf));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Unlinks the legs (the endpoints stay open); idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const u of this.#unbind) u();
    this.#unbind = [];
  }
}
