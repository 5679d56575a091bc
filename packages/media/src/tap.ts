import type { RtpPacket } from "./rtp.js";

/** What a tap listens to: an RTP endpoint (its received audio). */
export interface TapSource {
  on(event: "rtp", listener: (p: RtpPacket) => void): unknown;
  off(event: "rtp", listener: (p: RtpPacket) => void): unknown;
  decode(payload: Uint8Array, out?: Int16Array): Int16Array;
}

const FRAME = 160;

/**
 * Decodes one endpoint's received audio into a short queue of 20 ms frames that a
 * paced consumer (recorder, mixer, fork) takes one per tick. The queue is bounded
 * (a consumer that falls behind drops the oldest audio, keeping latency low) and
 * a missing frame is concealed (RFC 3550 leaves concealment to the receiver):
 * the last frame repeated at falling level for up to 3 frames, then silence.
 */
export class FrameQueue {
  #frames: Int16Array[];
  #head = 0;
  #count = 0;
  #last = new Int16Array(FRAME);
  #concealed = 0;
  #onRtp: (p: RtpPacket) => void;
  #overTarget = 0;
  #target: number;
  concealedFrames = 0;
  receivedFrames = 0;
  droppedFrames = 0;

  #buffering = true;

  constructor(
    private readonly source: TapSource,
    private readonly depth = 4,
    /**
     * Frames to hold before playing out, at the start and after an underrun: a
     * little delay that rides over arrival jitter instead of concealing it.
     */
    private readonly prebuffer = 1,
  ) {
    // Bursts may fill the queue up to `depth`, but a queue that stays above `target`
    // for a second is trimmed by a frame, so a burst does not leave a lasting delay.
    this.#target = Math.min(depth, 6);
    this.#frames = Array.from({ length: depth }, () => new Int16Array(FRAME));
    this.#onRtp = (p) => this.#push(p);
    source.on("rtp", this.#onRtp);
  }

  #push(p: RtpPacket): void {
    // 20 ms packets are the norm; longer ptimes are split into 20 ms frames.
    for (let o = 0; o + FRAME <= p.payload.length; o += FRAME) {
      if (this.#count === this.depth) {
        this.#head = (this.#head + 1) % this.depth;
        this.#count--;
      }
      const slot = this.#frames[(this.#head + this.#count) % this.depth]!;
      this.source.decode(p.payload.subarray(o, o + FRAME), slot);
      this.#count++;
      this.receivedFrames++;
    }
  }

  /** Fills `out` (160 samples) with the next frame; returns false if it was concealed/silent. */
  take(out: Int16Array): boolean {
    if (this.#count > this.#target) {
      if (++this.#overTarget >= 50) {
        this.#overTarget = 0;
        this.#head = (this.#head + 1) % this.depth;
        this.#count--;
        this.droppedFrames++;
      }
    } else this.#overTarget = 0;
    if (this.#buffering && this.#count >= this.prebuffer) this.#buffering = false;
    if (this.#count > 0 && !this.#buffering) {
      const f = this.#frames[this.#head]!;
      out.set(f);
      this.#last.set(f);
      this.#head = (this.#head + 1) % this.depth;
      this.#count--;
      this.#concealed = 0;
      return true;
    }
    // Underrun: conceal, and buffer up again before playing on.
    if (this.receivedFrames > 0) this.#buffering = true;
    if (this.#concealed < 3 && this.receivedFrames > 0) {
      // Packet-loss concealment: repeat the last frame at −6 dB per lost frame.
      this.#concealed++;
      this.concealedFrames++;
      const shift = this.#concealed;
      for (let i = 0; i < FRAME; i++) out[i] = this.#last[i]! >> shift;
      return false;
    }
    out.fill(0);
    return false;
  }

  close(): void {
    this.source.off("rtp", this.#onRtp);
  }
}
