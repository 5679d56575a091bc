import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Chromium is a real peer of these tests: under CI a missing binary fails, locally it skips. */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`Chromium not found at ${chromiumPath} (install the chromium package)`);
  console.warn(`skipping browser tests: no Chromium at ${chromiumPath}`);
  return false;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface BuiltApp {
  /** http://127.0.0.1:<port> serving the production bundle, /api /socket.io /sip proxied to the server. */
  url: string;
  close(): Promise<void>;
}

/** Builds the production bundle into a temp dir and serves it with Vite's preview server. */
export async function serveBuiltApp(serverUrl: string, sipWsUrl?: string): Promise<BuiltApp> {
  const outDir = mkdtempSync(join(tmpdir(), "hotline-softphone-dist-"));
  await build({ root, logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const proxy = {
    "/api": serverUrl,
    "/socket.io": { target: serverUrl, ws: true },
    "/sip": { target: sipWsUrl ?? serverUrl, ws: true },
  };
  const server: PreviewServer = await preview({
    root,
    // The server has no SIP-over-WS yet in every setup; JsSIP's retries would fill the log.
    logLevel: "silent",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, proxy },
  });
  const address = server.httpServer.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closed ??= server.close().finally(() => rmSync(outDir, { recursive: true, force: true }));
      return closed;
    },
  };
}

/** Headless Chromium with a fake microphone that the page may use without asking. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--no-sandbox"],
  });
}
