import type { DtmfReport } from "./dtmf.js";
import { g711Decode, g711Encode } from "./g711.js";
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
    // Transcoding state: the last packet sent on, and its audio for concealment.
    let lastSeq = -1;
    let lastSsrc = -1;
    let lastTs = 0;
    let lastLen = 0;
    let lastPcm = new Int16Array(160);
    let plc = new Int16Array(160);
    const onRtp = (p: RtpPacket): void => {
      if (from.law === to.law) {
        // Same codec: relayed untouched; a gap stays a gap for the far end to conceal.
        to.sendEncoded(from, p.sequenceNumber, p.timestamp, p.payload, p.marker);
        return;
      }
      const n = p.payload.length;
      if (scratch.length < n) scratch = new Uint8Array(n);
      // A new source (SSRC) or a restart far from the last sequence number starts afresh.
      if (p.ssrc !== lastSsrc) lastSeq = -1;
      lastSsrc = p.ssrc;
      if (lastSeq >= 0) {
        const gap = (p.sequenceNumber - lastSeq - 1) & 0xffff;
        if (gap >= 0x8000) {
          // Up to 100 behind: a late packet whose slot was sent already (or concealed).
          if (((lastSeq - p.sequenceNumber) & 0xffff) <= 100) return;
          lastSeq = -1;
        }
      }
      if (lastSeq >= 0) {
        const gap = (p.sequenceNumber - lastSeq - 1) & 0xffff;
        // Packet-loss concealment where we transcode (the far end's decoder sees a
        // clean stream): up to 3 lost frames are filled with the last frame at
        // −6 dB per frame, stamped with the missing sequence numbers.
        if (gap > 0 && gap <= 3 && lastLen > 0) {
          if (plc.length < lastLen) plc = new Int16Array(lastLen);
          for (let i = 1; i <= gap; i++) {
            for (let j = 0; j < lastLen; j++) plc[j] = lastPcm[j]! >> i;
            const enc = g711Encode(to.law, plc.subarray(0, lastLen), scratch).subarray(0, lastLen);
            to.sendEncoded(from, (lastSeq + i) & 0xffff, (lastTs + i * lastLen) >>> 0, enc, false);
          }
        }
      }
      if (lastPcm.length < n) lastPcm = new Int16Array(n);
      g711Decode(from.law, p.payload, lastPcm);
      lastSeq = p.sequenceNumber;
      lastTs = p.timestamp;
      lastLen = n;
      const out = g711Encode(to.law, lastPcm.subarray(0, n), scratch).subarray(0, n);
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
