import { MediaError, MediaErrorCode } from "./errors.js";

/**
 * Hands out even RTP ports (RTCP on port + 1, RFC 3550 §11: "RTP SHOULD use an
 * even destination port number and the corresponding RTCP stream SHOULD use the
 * next higher (odd) destination port number") from a configured range.
 *
 * Round-robin rather than lowest-free: a port just released is reused last, so
 * stray packets of a finished call do not land in the next one.
 */
export class PortAllocator {
  readonly min: number;
  readonly max: number;
  #inUse = new Set<number>();
  #cursor: number;

  constructor(min: number, max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || max - min < 1)
      throw new MediaError(MediaErrorCode.InvalidArgument, `bad port range ${min}-${max}`);
    this.min = min + (min % 2);
    this.max = max;
    this.#cursor = this.min;
  }

  get size(): number {
    return Math.floor((this.max - this.min + 1) / 2);
  }
  get inUse(): number {
    return this.#inUse.size;
  }
  isInUse(port: number): boolean {
    return this.#inUse.has(port);
  }

  /** Reserves the next free even port (its odd neighbour goes with it). */
  allocate(): number {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const p = this.#cursor;
      this.#cursor += 2;
      if (this.#cursor + 1 > this.max) this.#cursor = this.min;
      if (!this.#inUse.has(p)) {
        this.#inUse.add(p);
        return p;
      }
    }
    throw new MediaError(
      MediaErrorCode.PortsExhausted,
      `all ${n} RTP ports of ${this.min}-${this.max} are in use`,
    );
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }

  /** Splits the range in `n` disjoint allocators (one per worker thread). */
  split(n: number): PortAllocator[] {
    const per = Math.floor(this.size / n) * 2;
    if (per < 2) throw new MediaError(MediaErrorCode.InvalidArgument, "port range too small to split");
    return Array.from(
      { length: n },
      (_, i) => new PortAllocator(this.min + i * per, this.min + (i + 1) * per - 1),
    );
  }
}
