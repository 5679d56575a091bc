import { type Clock, Pacer, systemClock } from "./clock.js";
import { TypedEmitter } from "./events.js";
import { FrameQueue, type TapSource } from "./tap.js";
import { IncrementalWavWriter } from "./wav.js";

export interface RecordingOptions {
  clock?: Clock;
  /** How often the WAV header is brought up to date (what a crash can lose). Default 1000 ms. */
  flushIntervalMs?: number;
}

export type RecordingEvents = { close: [{ path: string; seconds: number }] };

/**
 * Records a call as a stereo WAV: the caller's audio on the left channel, the
 * agent's on the right, 8 kHz 16-bit. Frames are taken from each side every
 * 20 ms (paced from the start, like the player) and appended; the file's sizes
 * are rewritten every `flushIntervalMs`, so a crash leaves a playable file up to
 * the last flush. While paused nothing is written (e.g. while a caller reads out
 * a card number).
 */
export class RecordingTap extends TypedEmitter<RecordingEvents> {
  readonly path: string;
  #writer: IncrementalWavWriter;
  #left: FrameQueue;
  #right: FrameQueue;
  #pacer: Pacer;
  #l = new Int16Array(160);
  #r = new Int16Array(160);
  #stereo = new Int16Array(320);
  #paused = false;
  #closed = false;
  #framesWritten = 0;

  constructor(path: string, sides: { caller: TapSource; agent: TapSource }, opts: RecordingOptions = {}) {
    super();
    this.path = path;
    const flushFrames = Math.max(1, Math.round((opts.flushIntervalMs ?? 1000) / 20));
    this.#writer = new IncrementalWavWriter(path, 8000, 2, flushFrames * 320);
    // A deep queue (1 s): latency does not matter in a recording, gaps do. Arrival
    // bursts on a busy machine are absorbed instead of dropped and concealed.
    this.#left = new FrameQueue(sides.caller, 50, 5);
    this.#right = new FrameQueue(sides.agent, 50, 5);
    this.#pacer = new Pacer(opts.clock ?? systemClock, 20, () => this.#tick());
  }

  get paused(): boolean {
    return this.#paused;
  }
  get seconds(): number {
    return this.#framesWritten / 50;
  }

  #tick(): void {
    this.#left.take(this.#l);
    this.#right.take(this.#r);
    if (this.#paused) return;
    const s = this.#stereo;
    for (let i = 0; i < 160; i++) {
      s[2 * i] = this.#l[i]!;
      s[2 * i + 1] = this.#r[i]!;
    }
    this.#writer.write(s);
    this.#framesWritten++;
  }

  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
  }

  /** Stops recording and finalises the file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer.stop();
    this.#left.close();
    this.#right.close();
    this.#writer.close();
    this.emit("close", { path: this.path, seconds: this.seconds });
    this.removeAllListeners();
  }
}
