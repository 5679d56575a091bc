import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";

/** Polls `check` until it returns true or the deadline passes (no fixed sleeps). */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A plain UDP socket on 127.0.0.1, port 0 — a stand-in for a far-end phone. */
export async function udpPeer(): Promise<{
  socket: Socket;
  port: number;
  received: Buffer[];
  close: () => Promise<void>;
}> {
  const socket = createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (m) => received.push(m));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    socket,
    port: socket.address().port,
    received,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

export function sine(freq: number, n: number, amplitude: number, startSample = 0, rate = 8000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (startSample + i)) / rate));
  return out;
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Power of one frequency relative to the block's energy (1 for a pure tone). */
export function toneShare(x: Int16Array, freq: number, rate = 8000): number {
  const c = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    e += x[i]! * x[i]!;
  }
  const p = s1 * s1 + s2 * s2 - c * s1 * s2;
  return e === 0 ? 0 : p / ((e * x.length) / 2);
}

/** With CI set a missing binary fails the test; locally the test is skipped with a message. */
export function binaryAvailable(path: string): boolean {
  const found = existsSync(path);
  if (!found && process.env.CI) throw new Error(`${path} is required in CI but is missing`);
  if (!found) console.warn(`skipping: ${path} not installed`);
  return found;
}
