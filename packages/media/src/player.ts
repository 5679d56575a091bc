import { readFile } from "node:fs/promises";
import { type Clock, Pacer, systemClock } from "./clock.js";
import type { DtmfKey, DtmfReport } from "./dtmf.js";
import { MediaError, MediaErrorCode } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { g711Decode } from "./g711.js";
import { parseWav, WavFormat, wavSamples } from "./wav.js";

/** 8 kHz mono linear PCM, ready to play. */
export type Prompt = Int16Array;

/** Reads a WAV prompt: 8 kHz mono, 16-bit PCM or G.711 (A-law/μ-law). */
export async function loadPrompt(path: string): Promise<Prompt> {
  return decodePrompt(new Uint8Array(await readFile(path)));
}

export function decodePrompt(file: Uint8Array): Prompt {
  const w = parseWav(file);
  if (w.sampleRate !== 8000 || w.channels !== 1)
    throw new MediaError(
      MediaErrorCode.InvalidArgument,
      `prompt must be 8 kHz mono, is ${w.sampleRate} Hz × ${w.channels}`,
    );
  if (w.format === WavFormat.PCM) return wavSamples(w);
  return g711Decode(w.format === WavFormat.MULAW ? "pcmu" : "pcma", w.data);
}

/** Where a player's frames go: an RTP endpoint, or anything that takes 20 ms PCM frames. */
export interface AudioSink {
  sendPcm(source: unknown, frameIndex: number, pcm: Int16Array): void;
}

/** Something that reports key presses (an RTP endpoint). */
export interface DtmfSource {
  on(event: "dtmf", listener: (r: DtmfReport) => void): unknown;
  off(event: "dtmf", listener: (r: DtmfReport) => void): unknown;
}

export interface PlayOptions {
  /** Start again after the last prompt (music on hold) until stopped. */
  loop?: boolean;
  /** Stop when a key is pressed (barge-in); with a list, only those keys. */
  stopOnDtmf?: boolean | readonly DtmfKey[];
  dtmfSource?: DtmfSource;
  clock?: Clock;
  /** Samples per frame; 160 = 20 ms at 8 kHz. */
  frameSamples?: number;
}

export type PlayResult =
  | { reason: "finished"; frames: number }
  | { reason: "stopped"; frames: number }
  | { reason: "dtmf"; key: DtmfKey; frames: number };

export type PlayerEvents = { done: [result: PlayResult] };

/**
 * Plays a sequence of prompts into a sink at one frame per 20 ms, paced from the
 * start time on a monotonic clock (see Pacer), so an hour of music on hold is
 * exactly 180,000 frames however late individual timers fire.
 */
export class Player extends TypedEmitter<PlayerEvents> {
  readonly done: Promise<PlayResult>;
  #pacer: Pacer | undefined;
  #resolve!: (r: PlayResult) => void;
  #frame: Int16Array;
  #prompts: readonly Prompt[];
  #promptIdx = 0;
  #offset = 0;
  #finished = false;
  #onDtmf: ((r: DtmfReport) => void) | undefined;
  #opts: PlayOptions;

  constructor(
    private readonly sink: AudioSink,
    prompts: readonly Prompt[],
    opts: PlayOptions = {},
  ) {
    super();
    this.#opts = opts;
    this.#prompts = prompts.filter((p) => p.length > 0);
    this.#frame = new Int16Array(opts.frameSamples ?? 160);
    this.done = new Promise((r) => {
      this.#resolve = r;
    });
    const stopOn = opts.stopOnDtmf;
    if (stopOn && opts.dtmfSource) {
      this.#onDtmf = (r) => {
        if (stopOn === true || stopOn.includes(r.key))
          this.#finish({ reason: "dtmf", key: r.key, frames: this.frames });
      };
      opts.dtmfSource.on("dtmf", this.#onDtmf);
    }
    if (this.#prompts.length === 0) {
      queueMicrotask(() => this.#finish({ reason: "finished", frames: 0 }));
      return;
    }
    this.#pacer = new Pacer(opts.clock ?? systemClock, (this.#frame.length * 1000) / 8000, (k) =>
      this.#tick(k),
    );
  }

  get frames(): number {
    return this.#pacer?.framesSent ?? 0;
  }

  #tick(k: number): void {
    if (this.#finished) return;
    const f = this.#frame;
    let filled = 0;
    while (filled < f.length) {
      const p = this.#prompts[this.#promptIdx];
      if (!p) break;
      const n = Math.min(f.length - filled, p.length - this.#offset);
      f.set(p.subarray(this.#offset, this.#offset + n), filled);
      filled += n;
      this.#offset += n;
      if (this.#offset >= p.length) {
        this.#offset = 0;
        this.#promptIdx++;
        if (this.#promptIdx >= this.#prompts.length && this.#opts.loop) this.#promptIdx = 0;
      }
    }
    if (filled === 0) {
      this.#finish({ reason: "finished", frames: k });
      return;
    }
    f.fill(0, filled); // the last partial frame is padded with silence
    this.sink.sendPcm(this, k, f);
    if (this.#promptIdx >= this.#prompts.length) this.#finish({ reason: "finished", frames: k + 1 });
  }

  /** Stops playing; idempotent. */
  stop(): void {
    this.#finish({ reason: "stopped", frames: this.frames });
  }

  #finish(r: PlayResult): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#pacer?.stop();
    if (this.#onDtmf) this.#opts.dtmfSource?.off("dtmf", this.#onDtmf);
    this.#resolve(r);
    this.emit("done", r);
    this.removeAllListeners();
  }
}
