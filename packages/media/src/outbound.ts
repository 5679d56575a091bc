/**
 * Rewrites SSRC, sequence number and timestamp of everything one endpoint sends,
 * whatever its source (relayed leg, player, mixer, DTMF), so the far end sees a
 * single continuous stream: one SSRC, sequence numbers +1 per packet, timestamps
 * advancing with real time. Switching source (hold music → agent → survey) only
 * sets the marker bit (RFC 3550 §5.1: "for audio ... the beginning of a
 * talkspurt"), so the far end's jitter buffer re-anchors instead of dropping a
 * stream that appears to jump backwards.
 */
export class OutboundStream {
  #source: unknown = undefined;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq: number;
  #lastTs: number;
  #lastInSeq = 0;
  #lastInTs = 0;
  #lastMs = Number.NEGATIVE_INFINITY;
  packetsSent = 0;
  octetsSent = 0;
  /** Timestamp of the last packet sent (for RTCP SR). */
  get lastTimestamp(): number {
    return this.#lastTs;
  }

  constructor(
    readonly ssrc: number,
    private readonly clockRate = 8000,
  ) {
    // §5.1: initial sequence number and timestamp "SHOULD be random".
    this.#lastSeq = (Math.random() * 0xffff) | 0;
    this.#lastTs = (Math.random() * 0xffffffff) >>> 0;
  }

  /**
   * Output sequence number, timestamp and marker for a packet of `source` carrying
   * input `inSeq`/`inTs`, sent at `nowMs` (monotonic).
   */
  next(
    source: unknown,
    inSeq: number,
    inTs: number,
    nowMs: number,
    payloadBytes: number,
  ): { seq: number; ts: number; marker: boolean } {
    let marker = false;
    const seqJump = (inSeq - this.#lastInSeq) & 0xffff;
    const tsJump = (inTs - this.#lastInTs) >>> 0;
    // A new source, or the same source restarting (a seq jump past the A.1 dropout
    // limit, or a timestamp jump of over a minute), is re-anchored.
    if (
      source !== this.#source ||
      (seqJump > 3000 && seqJump < 65536 - 100) ||
      (tsJump > this.clockRate * 60 && tsJump < 0x1_0000_0000 - this.clockRate * 60)
    ) {
      const elapsed =
        this.#lastMs === Number.NEGATIVE_INFINITY
          ? 0
          : Math.round(((nowMs - this.#lastMs) * this.clockRate) / 1000);
      // At least one frame ahead of the last packet, more if time has passed.
      const outTs = (this.#lastTs + Math.max(elapsed, 160)) >>> 0;
      this.#tsOffset = (outTs - inTs) >>> 0;
      this.#seqOffset = (this.#lastSeq + 1 - inSeq) & 0xffff;
      this.#source = source;
      marker = true;
    }
    this.#lastInSeq = inSeq;
    this.#lastInTs = inTs;
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    const ts = (inTs + this.#tsOffset) >>> 0;
    // Only move forward: a late reordered input packet keeps its place but must not
    // drag the anchor back.
    if (((seq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = seq;
      this.#lastTs = ts;
      this.#lastMs = nowMs;
    }
    this.packetsSent++;
    this.octetsSent += payloadBytes;
    return { seq, ts, marker };
  }

  /** Forgets the current source so the next packet re-anchors (e.g. after DTMF). */
  reset(): void {
    this.#source = undefined;
  }
}
