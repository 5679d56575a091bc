import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseWav, wavSamples } from "../src/wav.js";
import { binaryAvailable, toneShare, waitFor } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "media-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("recording survives a crash", () => {
  it("a recorder killed with SIGKILL leaves a playable WAV up to its last flush", async () => {
    const path = join(dir, "killed.wav");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./support/record-child.ts", import.meta.url)), path],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      // Wait until the header on disk says at least 2 s (stereo 16-bit: 32,000 bytes/s).
      const declared = (): number => {
        if (!existsSync(path) || statSync(path).size < 44) return 0;
        return readFileSync(path).readUInt32LE(40);
      };
      await waitFor(() => declared() >= 2 * 32000, 15_000, "2 s flushed to disk");
      child.kill("SIGKILL");
      await exited;
      const bytes = readFileSync(path);
      const size = bytes.readUInt32LE(40);
      expect(bytes.readUInt32LE(4)).toBe(36 + size);
      expect(bytes.length).toBeGreaterThanOrEqual(44 + size);
      const w = parseWav(new Uint8Array(bytes.subarray(0, 44 + size)));
      expect(w).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16 });
      const s = wavSamples(w);
      const left = Int16Array.from({ length: 1600 }, (_, i) => s[2 * (8000 + i)]!);
      const right = Int16Array.from({ length: 1600 }, (_, i) => s[2 * (8000 + i) + 1]!);
      expect(toneShare(left, 1000)).toBeGreaterThan(0.9);
      expect(toneShare(right, 600)).toBeGreaterThan(0.9);
      // A real tool agrees: sox reads the killed file and reports its length.
      if (binaryAvailable("/usr/bin/sox")) {
        const soxi = spawnSync("sox", ["--i", "-D", path], { encoding: "utf8" });
        expect(soxi.status).toBe(0);
        expect(Number(soxi.stdout.trim())).toBeGreaterThanOrEqual(2);
      }
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });
});
