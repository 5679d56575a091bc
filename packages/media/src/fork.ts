import WebSocket from "ws";
import { type Clock, Pacer, systemClock } from "./clock.js";
import { TypedEmitter } from "./events.js";
import { FrameQueue, type TapSource } from "./tap.js";

export type ForkMode = "caller" | "agent" | "mixed" | "stereo";

export interface AudioForkOptions {
  url: string;
  callId: string;
  caller: string;
  /** Which audio: one direction, both mixed to mono, or stereo (caller left). Default "stereo". */
  mode?: ForkMode;
  clock?: Clock;
  /** Extra fields for the header (e.g. queue, language). */
  metadata?: Record<string, string>;
}

/** The first message on the socket, as JSON text. */
export interface ForkHeader {
  callId: string;
  caller: string;
  format: {
    encoding: "L16";
    sampleRate: 8000;
    channels: 1 | 2;
    mode: ForkMode;
    frameMs: 20;
    endianness: "little";
  };
  metadata?: Record<string, string>;
}

export type AudioForkEvents = {
  open: [];
  error: [err: Error];
  close: [];
};

/**
 * The hotline's real-time voice stream: a call's audio sent to a WebSocket as it
 * happens, for speech recognition and assistant services. The first message is a
 * JSON header; every 20 ms after it one binary message of 16-bit little-endian
 * 8 kHz PCM (interleaved caller/agent in stereo mode).
 */
export class AudioFork extends TypedEmitter<AudioForkEvents> {
  readonly header: ForkHeader;
  #ws: WebSocket;
  #caller: FrameQueue | undefined;
  #agent: FrameQueue | undefined;
  #pacer: Pacer | undefined;
  #a = new Int16Array(160);
  #b = new Int16Array(160);
  #closed = false;
  #opts: AudioForkOptions;
  framesSent = 0;

  constructor(sides: { caller: TapSource; agent: TapSource }, opts: AudioForkOptions) {
    super();
    this.#opts = opts;
    const mode = opts.mode ?? "stereo";
    this.header = {
      callId: opts.callId,
      caller: opts.caller,
      format: {
        encoding: "L16",
        sampleRate: 8000,
        channels: mode === "stereo" ? 2 : 1,
        mode,
        frameMs: 20,
        endianness: "little",
      },
      ...(opts.metadata ? { metadata: opts.metadata } : {}),
    };
    // 200 ms of queue: speech recognition tolerates that latency better than gaps.
    if (mode !== "agent") this.#caller = new FrameQueue(sides.caller, 10, 3);
    if (mode !== "caller") this.#agent = new FrameQueue(sides.agent, 10, 3);
    this.#ws = new WebSocket(opts.url);
    this.#ws.binaryType = "nodebuffer";
    this.#ws.on("open", () => {
      if (this.#closed) return;
      this.#ws.send(JSON.stringify(this.header));
      this.#pacer = new Pacer(this.#opts.clock ?? systemClock, 20, () => this.#tick());
      this.emit("open");
    });
    this.#ws.on("error", (err) => this.emit("error", err));
    this.#ws.on("close", () => this.close());
  }

  #tick(): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    const mode = this.header.format.mode;
    this.#caller?.take(this.#a);
    this.#agent?.take(this.#b);
    const channels = this.header.format.channels;
    const buf = Buffer.allocUnsafe(160 * 2 * channels);
    for (let i = 0; i < 160; i++) {
      const a = this.#a[i]!;
      const b = this.#b[i]!;
      if (mode === "stereo") {
        buf.writeInt16LE(a, i * 4);
        buf.writeInt16LE(b, i * 4 + 2);
      } else {
        const v = mode === "caller" ? a : mode === "agent" ? b : Math.max(-32768, Math.min(32767, a + b));
        buf.writeInt16LE(v, i * 2);
      }
    }
    // Back-pressure: a slow consumer gets gaps rather than an unbounded queue.
    if (this.#ws.bufferedAmount > 64 * 1024) return;
    this.#ws.send(buf);
    this.framesSent++;
  }

  /** Stops streaming and closes the socket; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pacer?.stop();
    this.#caller?.close();
    this.#agent?.close();
    if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
    else this.#ws.close(1000);
    this.emit("close");
    this.removeAllListeners();
  }
}
