import type { MessagePort } from "node:worker_threads";
import type { DtmfKey, DtmfReport } from "./dtmf.js";
import { TypedEmitter } from "./events.js";
import { type G711Law, g711Decode, g711Encode } from "./g711.js";
import type { MediaLeg } from "./leg.js";
import type { RtpPacket } from "./rtp.js";

/** What crosses a MessageChannel between two workers bridging their endpoints. */
export type LinkMessage =
  | { t: "rtp"; law: G711Law; seq: number; ts: number; marker: boolean; payload: Uint8Array }
  | { t: "dtmf"; key: DtmfKey; durationMs: number };

/**
 * The far half of a bridge whose other endpoint lives in another worker. Packets
 * go over a MessagePort with their codec named, so each side transcodes (or not)
 * as a local bridge would: the leg's `law` is that of the last packet received,
 * which is the law the far endpoint speaks.
 */
export class PortLeg
  extends TypedEmitter<{ rtp: [RtpPacket]; dtmf: [DtmfReport]; close: [] }>
  implements MediaLeg
{
  #law: G711Law;
  #closed = false;
  readonly media = { telephoneEventPt: 101 as number | undefined };

  constructor(
    private readonly port: MessagePort,
    law: G711Law,
  ) {
    super();
    this.#law = law;
    port.on("message", (m: LinkMessage) => {
      if (this.#closed) return;
      if (m.t === "rtp") {
        this.#law = m.law;
        this.emit("rtp", {
          payloadType: m.law === "pcmu" ? 0 : 8,
          marker: m.marker,
          sequenceNumber: m.seq,
          timestamp: m.ts,
          ssrc: 0,
          payload: m.payload,
        });
      } else {
        this.emit("dtmf", { key: m.key, durationMs: m.durationMs, source: "rfc4733", endSeen: true });
      }
    });
    port.on("close", () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }
  get law(): G711Law {
    return this.#law;
  }

  sendEncoded(_source: unknown, inSeq: number, inTs: number, payload: Uint8Array, marker = false): void {
    if (this.#closed) return;
    // The payload is in this.law (the bridge transcoded to it); structured clone copies it.
    this.port.postMessage({
      t: "rtp",
      law: this.#law,
      seq: inSeq,
      ts: inTs,
      marker,
      payload,
    } satisfies LinkMessage);
  }

  sendPcm(source: unknown, frameIndex: number, pcm: Int16Array): void {
    this.sendEncoded(
      source,
      frameIndex & 0xffff,
      (frameIndex * pcm.length) >>> 0,
      g711Encode(this.#law, pcm),
    );
  }

  async sendDtmf(key: DtmfKey, durationMs = 100): Promise<void> {
    if (!this.#closed) this.port.postMessage({ t: "dtmf", key, durationMs } satisfies LinkMessage);
  }

  decode(payload: Uint8Array, out?: Int16Array): Int16Array {
    return g711Decode(this.#law, payload, out);
  }

  /** Idempotent; closing either side's port closes both. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.port.close();
    this.emit("close");
    this.removeAllListeners();
  }
}
