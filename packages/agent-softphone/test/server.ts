import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, type RunningServer, startServer } from "@hotline12345/acd-server";

export interface TestServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/**
 * The real acd-server (embedded PGlite in a fresh temp dir, demo accounts) on 127.0.0.1 and a
 * free port: the peer the browser app talks to, not a stand-in.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-softphone-"));
  const config = loadConfig({
    HOTLINE_HTTP_PORT: "0",
    HOTLINE_HTTP_HOST: "127.0.0.1",
    HOTLINE_DATA_DIR: dir,
    HOTLINE_JWT_SECRET: "softphone-tests-secret-of-32-characters-or-more",
    HOTLINE_LOG_LEVEL: "silent",
    HOTLINE_LOG_FORMAT: "json",
    HOTLINE_DRAIN_SECONDS: "0",
    // No SIP engine unless a test asks for it: these tests need REST and socket.io only, and the
    // engine binds SIP/RTP ports. (Its WebSocket at /sip, attached with ws's `server` + `path`,
    // also answers 400 to every other upgrade, socket.io's included: ws aborts handshakes for
    // paths it does not own. Fix belongs in packages/sip's WsTransport: noServer + own routing.)
    HOTLINE_SIP_ENABLED: "false",
    ...env,
  });
  const server = await startServer(config, createLogger(config));
  let closed: Promise<void> | null = null;
  return {
    server,
    url: server.url,
    close() {
      closed ??= server.close().finally(() => rmSync(dir, { recursive: true, force: true }));
      return closed;
    },
  };
}

/** Resolves when `check` is true, polling; fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
