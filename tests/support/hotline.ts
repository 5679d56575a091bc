import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, type RunningServer, startServer } from "@hotline12345/acd-server";
import { encodeWav } from "@hotline12345/media";
import { Baresip } from "./baresip.js";

/** Polls `probe` until it yields a value (not undefined/false); fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A minute of a sine tone at −13.5 dBFS, 8 kHz mono 16-bit: what a test phone sends. */
export function toneWav(path: string, freq: number): string {
  const n = 8000 * 60;
  const samples = Int16Array.from({ length: n }, (_, i) =>
    Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * freq * i) / 8000)),
  );
  writeFileSync(path, encodeWav(samples));
  return path;
}

/**
 * The real platform for an end-to-end test: acd-server with the embedded engine on free
 * ports, PGlite in a temp folder, demo data; plus real SIP phones (baresip) for agents and
 * callers. `close()` stops every phone and the server and removes the folder.
 */
export class Hotline {
  readonly phones: Baresip[] = [];
  private constructor(
    readonly server: RunningServer,
    readonly dir: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<Hotline> {
    const dir = mkdtempSync(join(tmpdir(), "hotline-e2e-"));
    const server = await startServer(
      loadConfig({
        HOTLINE_HTTP_PORT: "0",
        HOTLINE_HTTP_HOST: "127.0.0.1",
        HOTLINE_SIP_HOST: "127.0.0.1",
        HOTLINE_SIP_PORT: "0",
        HOTLINE_DATA_DIR: dir,
        HOTLINE_MEDIA_WORKERS: "1",
        ...env,
      }),
      createLogger({ log: { level: process.env.E2E_LOG === "debug" ? "debug" : "silent", format: "json" } }),
    );
    return new Hotline(server, dir);
  }

  get sipPort(): number {
    const port = this.server.engine?.sipPort;
    if (!port) throw new Error("the embedded engine is not running");
    return port;
  }

  async api(method: string, path: string, token: string, body?: unknown): Promise<Response> {
    return fetch(`${this.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  async tokenOf(userId: string): Promise<string> {
    const res = await fetch(`${this.server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId, password: `hotline-${userId}` }),
    });
    if (res.status !== 200) throw new Error(`login ${userId}: ${res.status}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  /** A desk phone registered as the agent (auto-answering unless `answer: false`). */
  async agentPhone(
    agentId: string,
    toneHz: number,
    options: { answer?: boolean; transport?: "udp" | "tcp" } = {},
  ): Promise<Baresip> {
    const answermode = options.answer === false ? "manual" : "auto";
    const transport = options.transport === "tcp" ? ";transport=tcp" : "";
    const phone = await Baresip.start({
      account: `<sip:${agentId}@127.0.0.1:${this.sipPort}${transport}>;auth_pass=hotline-${agentId};regint=300;answermode=${answermode}`,
      sourceWav: toneWav(join(this.dir, `agent-${agentId}.wav`), toneHz),
    });
    this.phones.push(phone);
    await until(`${agentId} registered`, 15_000, () => this.server.engine?.switch.registered(agentId));
    return phone;
  }

  async setState(
    agentId: string,
    state: "READY" | "NOT_READY" | "LOGGED_OUT",
    reason?: string,
  ): Promise<void> {
    const res = await this.api("POST", "/api/agents/me/state", await this.tokenOf(agentId), {
      state,
      ...(reason ? { reason } : {}),
    });
    if (res.status !== 200) throw new Error(`${agentId} ${state}: ${res.status} ${await res.text()}`);
  }

  /** A caller's phone dialling the hotline number. */
  async dial(number: string, toneHz: number, dialled = "12345"): Promise<Baresip> {
    const caller = await Baresip.start({
      account: `<sip:${number}@127.0.0.1>;regint=0`,
      sourceWav: toneWav(join(this.dir, `caller-${number}.wav`), toneHz),
    });
    this.phones.push(caller);
    await caller.command("dial", `sip:${dialled}@127.0.0.1:${this.sipPort}`);
    return caller;
  }

  /** The call's record once the call has ended (its `ended_at` written). */
  callEnded(callId: string, ms = 20_000) {
    return until(`call ${callId} ended`, ms, async () =>
      this.server.store.db
        .selectFrom("calls")
        .selectAll()
        .where("id", "=", callId)
        .where("ended_at", "is not", null)
        .executeTakeFirst(),
    );
  }

  /** The call's recording row, once the session has started recording. */
  recordingOf(callId: string, ms = 15_000) {
    return until(`recording of ${callId}`, ms, async () =>
      this.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .executeTakeFirst(),
    );
  }

  /** Resolves once the stereo 8 kHz 16-bit WAV at `path` holds `seconds` more audio than `from` bytes. */
  async recorded(path: string, seconds: number, from = 44, ms = 30_000): Promise<void> {
    await until(`${seconds} s of recorded audio`, ms, () => {
      try {
        return statSync(path).size > from + seconds * 8000 * 4 || undefined;
      } catch {
        return undefined; // not created yet
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.phones.map((p) => p.stop()));
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
