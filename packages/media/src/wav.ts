import { closeSync, openSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { MediaError, MediaErrorCode } from "./errors.js";

/**
 * WAV (RIFF) files: a reader for prompts and a writer that keeps the file playable
 * while it grows.
 */

const LITTLE_ENDIAN = endianness() === "LE";

export const WavFormat = { PCM: 1, ALAW: 6, MULAW: 7 } as const;

export interface WavData {
  format: (typeof WavFormat)[keyof typeof WavFormat];
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** The data chunk (a view into the file bytes). */
  data: Uint8Array;
}

export function parseWav(file: Uint8Array): WavData {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (o: number): string => String.fromCharCode(file[o]!, file[o + 1]!, file[o + 2]!, file[o + 3]!);
  if (file.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE")
    throw new MediaError(MediaErrorCode.Malformed, "WAV: not a RIFF/WAVE file");
  let o = 12;
  let fmt: Omit<WavData, "data"> | undefined;
  while (o + 8 <= file.length) {
    const id = tag(o);
    let size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === "fmt ") {
      const format = view.getUint16(body, true);
      if (format !== 1 && format !== 6 && format !== 7 && format !== 0xfffe)
        throw new MediaError(MediaErrorCode.Malformed, `WAV: unsupported format ${format}`);
      fmt = {
        format: format === 0xfffe ? WavFormat.PCM : format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt) throw new MediaError(MediaErrorCode.Malformed, "WAV: data before fmt");
      // A file cut short by a crash (or a streaming writer's 0xFFFFFFFF) is read to its end.
      if (size === 0 || body + size > file.length) size = file.length - body;
      return { ...fmt, data: file.subarray(body, body + size) };
    }
    o = body + size + (size & 1);
  }
  throw new MediaError(MediaErrorCode.Malformed, "WAV: no data chunk");
}

/** The samples of a 16-bit PCM WAV as Int16Array (little-endian; copied, so aligned). */
export function wavSamples(w: WavData): Int16Array {
  if (w.format !== WavFormat.PCM || w.bitsPerSample !== 16)
    throw new MediaError(MediaErrorCode.InvalidArgument, "WAV: not 16-bit PCM");
  const n = w.data.length >> 1;
  const out = new Int16Array(n);
  const view = new DataView(w.data.buffer, w.data.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

function header(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  h.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + dataBytes, true);
  h.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  h.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, dataBytes, true);
  return h;
}

export function encodeWav(samples: Int16Array, sampleRate = 8000, channels = 1): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(header(sampleRate, channels, samples.length * 2));
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, samples[i]!, true);
  return out;
}

/**
 * 16-bit PCM WAV written as it goes: samples are buffered and appended, and the RIFF
 * and data sizes in the header are rewritten at every flush, so a process that dies
 * leaves a valid file holding everything up to the last flush.
 */
export class IncrementalWavWriter {
  #fd: number | undefined;
  #buf: Buffer;
  #fill = 0;
  #dataBytes = 0;
  #sizes = Buffer.alloc(4);

  constructor(
    readonly path: string,
    readonly sampleRate = 8000,
    readonly channels = 1,
    /** Samples (all channels) buffered between flushes: one second by default. */
    bufferSamples = sampleRate * channels,
  ) {
    this.#fd = openSync(path, "w");
    writeSync(this.#fd, header(sampleRate, channels, 0));
    this.#buf = Buffer.alloc(bufferSamples * 2);
  }

  get bytesWritten(): number {
    return this.#dataBytes + this.#fill;
  }

  /** Appends interleaved samples. */
  write(samples: Int16Array): void {
    if (this.#fd === undefined) throw new MediaError(MediaErrorCode.Closed, "WAV writer closed");
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < samples.length; i++) {
        this.#buf.writeInt16LE(samples[i]!, this.#fill);
        this.#fill += 2;
        if (this.#fill === this.#buf.length) this.flush();
      }
      return;
    }
    // WAV is little-endian like the host: copy the bytes as they are.
    let bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    while (bytes.length > 0) {
      const n = Math.min(bytes.length, this.#buf.length - this.#fill);
      this.#buf.set(bytes.subarray(0, n), this.#fill);
      this.#fill += n;
      bytes = bytes.subarray(n);
      if (this.#fill === this.#buf.length) this.flush();
    }
  }

  /** Writes buffered samples and updates the header sizes. */
  flush(): void {
    if (this.#fd === undefined) return;
    if (this.#fill > 0) {
      writeSync(this.#fd, this.#buf, 0, this.#fill, 44 + this.#dataBytes);
      this.#dataBytes += this.#fill;
      this.#fill = 0;
    }
    this.#sizes.writeUInt32LE(36 + this.#dataBytes, 0);
    writeSync(this.#fd, this.#sizes, 0, 4, 4);
    this.#sizes.writeUInt32LE(this.#dataBytes, 0);
    writeSync(this.#fd, this.#sizes, 0, 4, 40);
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
