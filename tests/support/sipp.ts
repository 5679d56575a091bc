/** sipp (Debian package sip-tester) as a long-running peer: spawn, stop, read its figures. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { g711Stream, writePcap } from "../media-interop/support/pcap.js";
import { freeUdpPort } from "../media-interop/support/peers.js";
import { Hotline, until } from "./hotline.js";

/** The committed scenarios (tests/sipp/*.xml). */
export const SIPP_SCENARIOS = fileURLToPath(new URL("../sipp/", import.meta.url));

export interface SippFigures {
  exitCode: number | null;
  /** Calls sipp started (UAC) or took (UAS). */
  created: number;
  successful: number;
  failed: number;
  /** Response time 1 of each call (ms), in order: INVITE → 200 OK for the load caller. */
  rtt: number[];
  /** The last screen and errors, for failure messages. */
  output: string;
}

function counter(screen: string, name: string): number {
  // Rows look like `Successful call  |  <periodic>  |  <cumulated>`: the cumulated column.
  const m = new RegExp(`${name}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(screen);
  return m ? Number(m[1]) : 0;
}

/**
 * One sipp process in a temp dir of its own (it writes its traces into its working dir;
 * `files` are written there first, e.g. a pcap a scenario plays by relative name).
 * `stop()` asks it to finish (SIGUSR1: no new calls, end when the current ones have), kills it
 * after `graceMs`, and returns its figures; the dir is removed.
 */
export class SippProcess {
  readonly #proc: ChildProcess;
  readonly #dir: string;
  #out = "";
  readonly #exited: Promise<number | null>;

  private constructor(proc: ChildProcess, dir: string) {
    this.#proc = proc;
    this.#dir = dir;
    const keep = (d: Buffer) => {
      this.#out = (this.#out + d.toString()).slice(-20_000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    this.#exited = new Promise((r) => proc.once("exit", (code) => r(code)));
  }

  static start(args: string[], files: Record<string, Uint8Array | string> = {}): SippProcess {
    const dir = mkdtempSync(join(tmpdir(), "sipp-load-"));
    for (const [name, data] of Object.entries(files)) {
      writeFileSync(join(dir, name), data);
    }
    const proc = spawn(
      "sipp",
      [...args, "-nostdin", "-trace_screen", "-trace_err", "-trace_rtt", "-rtt_freq", "1"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    return new SippProcess(proc, dir);
  }

  get running(): boolean {
    return this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  /** Resolves when sipp exits by itself (`-m` reached), or with null after `ms`. */
  async exited(ms: number): Promise<number | null | "timeout"> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), ms);
    });
    try {
      return await Promise.race([this.#exited, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(graceMs = 3000): Promise<SippFigures> {
    if (this.running) {
      this.#proc.kill("SIGUSR1");
      if ((await this.exited(graceMs)) === "timeout" && this.running) this.#proc.kill("SIGKILL");
    }
    const exitCode = await this.#exited;
    try {
      return this.#figures(exitCode);
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }

  #figures(exitCode: number | null): SippFigures {
    let screen = "";
    let errors = "";
    const rtt: number[] = [];
    for (const f of existsSync(this.#dir) ? readdirSync(this.#dir) : []) {
      const text = () => readFileSync(join(this.#dir, f), "utf8");
      if (f.endsWith("_screen.log")) screen += text();
      else if (f.endsWith("_errors.log")) errors += text().slice(-5000);
      else if (f.endsWith("_rtt.csv")) {
        // date_ms;date;response_time_ms;rtd_no — one line per measured call.
        for (const line of text().split("\n").slice(1)) {
          const cols = line.split(";");
          const ms = Number(cols[2]);
          if (cols.length >= 3 && Number.isFinite(ms)) rtt.push(ms);
        }
      }
    }
    // The screen is dumped more than once; the last statistics screen is the final one.
    const last = screen.slice(Math.max(0, screen.lastIndexOf("Scenario Screen")));
    return {
      exitCode,
      created: counter(last, "Outgoing calls created") || counter(last, "Incoming calls created"),
      successful: counter(last, "Successful call"),
      failed: counter(last, "Failed call"),
      rtt,
      output: `${this.#out}\n${last}\n${errors}`,
    };
  }
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

// ───────────── the 20 cps load scenario (tests/e2e/load-20cps.test.ts, pnpm bench:calls) ─────────────

export interface LoadOptions {
  /** New calls a second. */
  cps: number;
  /** Calls placed in all (cps × seconds). */
  calls: number;
  /** Agents created, registered and put ready. */
  agents: number;
  /** How long each caller stays on after the answer: greeting, queue, talk, into the survey. */
  holdMs: number;
  /** How long each agent talks before hanging up. */
  talkMs: number;
  /** Use the real Postgres (a schema of its own) rather than PGlite. */
  postgres: boolean;
  mediaWorkers: number;
  /** Progress lines (the bench prints them; the test keeps quiet). */
  log?: (line: string) => void;
}

export interface LoadFigures {
  placed: number;
  /** sipp callers whose call ran to its end (answered, held, BYE'd, 200). */
  callerSuccessful: number;
  callerFailed: number;
  /** Calls the agents' UAS took and ended with its BYE. */
  agentSuccessful: number;
  agentFailed: number;
  /** Call rows, and those answered by an agent and completed. */
  rows: number;
  answered: number;
  completed: number;
  /** Outcome → count, for the failure message. */
  outcomes: Record<string, number>;
  /** Engine legs still live once every call row had ended (0: nothing leaked). */
  legsLeft: number;
  /** The agents' states at the end (state → count). */
  agentStates: Record<string, number>;
  lost: number;
  setupP50Ms: number;
  setupP99Ms: number;
  /** Agent's answer after the caller's answer (greeting + queue + ring), p50/p99 (s). */
  waitP50S: number;
  waitP99S: number;
  /** CPU of this process (server with its media worker threads) while calls ran, % of one core. */
  cpuPct: number;
  wallS: number;
  callerOutput: string;
  agentOutput: string;
}

const postgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function psql(sql: string): void {
  const r = spawnSync("psql", [postgresUrl, "-v", "ON_ERROR_STOP=1", "-qc", sql], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql: ${r.error?.message ?? r.stderr}`);
}

/** A 2 s 1 kHz tone at −13 dBFS RMS, PCMU, as a pcap sipp replays from each caller. */
function tonePcap(): Uint8Array {
  const amplitude = Math.round(32767 * 10 ** (-10 / 20));
  const pcm = Int16Array.from({ length: 16_000 }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
  );
  return writePcap(g711Stream(pcm, "pcmu"));
}

async function ok(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** Runs `n` async jobs, at most `width` at a time. */
async function pool(n: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, width) }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

/**
 * The load scenario end to end: the real server (Hotline.start); `agents` agents created through
 * the admin API, registered with digest by sipp and put READY; one sipp UAS answering for all of
 * them; sipp callers at `cps` through greeting and queue to an agent. Returns what sipp and the
 * call rows say. Everything it started is stopped before it returns.
 */
export async function runLoad(o: LoadOptions): Promise<LoadFigures> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const schema = `load_${randomBytes(5).toString("hex")}`;
  if (o.postgres) psql(`create schema ${schema}`);
  let h: Hotline | undefined;
  let agentsUas: SippProcess | undefined;
  let callers: SippProcess | undefined;
  try {
    h = await Hotline.start({
      HOTLINE_MEDIA_WORKERS: String(o.mediaWorkers),
      ...(o.postgres
        ? { DATABASE_URL: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}` }
        : {}),
    });
    const hotline = h;
    const admin = await hotline.tokenOf("9001");
    const ids = Array.from({ length: o.agents }, (_, i) => String(30_000 + i));
    const password = (id: string) => `load-agent-${id}`;
    // Creating a user hashes its password (scrypt): a few at a time.
    await pool(ids.length, 4, async (i) => {
      const id = ids[i] as string;
      await ok(
        await hotline.api("POST", "/api/users", admin, {
          id,
          displayName: `Load ${id}`,
          role: "agent",
          password: password(id),
          languages: ["zh"],
          skills: [{ skillId: "mandarin", level: 5 }],
        }),
        `create ${id}`,
      );
    });
    const general = (await (
      await ok(await hotline.api("GET", "/api/queues/general", admin), "queue")
    ).json()) as {
      members: string[];
    };
    // No wrap-up: an agent is ready for the next call as soon as one ends; room for every caller.
    await ok(
      await hotline.api("PATCH", "/api/queues/general", admin, {
        wrapUpSeconds: 0,
        maxSize: 10_000,
        maxWaitSeconds: 600,
        members: [...general.members, ...ids],
      }),
      "queue general",
    );
    log(`agents created: ${o.agents} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // Register every agent from the port the answering UAS will listen on (see load-register.xml).
    const sipTarget = `127.0.0.1:${hotline.sipPort}`;
    const agentPort = await freeUdpPort();
    // sipp expands an [authentication …] keyword held in a CSV field, not fields inside one.
    const csv = `SEQUENTIAL\n${ids.map((id) => `${id};[authentication username=${id} password=${password(id)}]`).join("\n")}\n`;
    const reg = SippProcess.start(
      [
        sipTarget,
        "-sf",
        join(SIPP_SCENARIOS, "load-register.xml"),
        "-inf",
        "agents.csv",
        "-i",
        "127.0.0.1",
        "-p",
        String(agentPort),
        "-m",
        String(o.agents),
        "-r",
        "50",
        "-timeout",
        "30",
        "-timeout_error",
      ],
      { "agents.csv": csv },
    );
    await reg.exited(30_000);
    const regFigures = await reg.stop();
    if (regFigures.successful !== o.agents)
      throw new Error(`registered ${regFigures.successful} of ${o.agents}:\n${regFigures.output}`);
    await until("every agent registered", 10_000, () =>
      ids.every((id) => hotline.server.engine?.switch.registered(id)),
    );
    agentsUas = SippProcess.start([
      "-sf",
      join(SIPP_SCENARIOS, "load-agent-uas.xml"),
      "-i",
      "127.0.0.1",
      "-p",
      String(agentPort),
      "-mi",
      "127.0.0.1",
      "-mp",
      String(await freeUdpPort(true)),
      "-rtp_echo",
      "-d",
      String(o.talkMs),
      // No call limit: under overload, retransmitted BYEs of calls sipp already dropped count
      // as new (unexpected) calls, and a limit of `calls` would leave later INVITEs unanswered.
      // stop() ends it.
    ]);
    // Logging in verifies the password (scrypt): a few at a time too.
    await pool(ids.length, 4, async (i) => {
      const id = ids[i] as string;
      const res = await fetch(`${hotline.server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: id, password: password(id) }),
      });
      const { accessToken } = (await (await ok(res, `login ${id}`)).json()) as { accessToken: string };
      await ok(
        await hotline.api("POST", "/api/agents/me/state", accessToken, { state: "READY" }),
        `ready ${id}`,
      );
    });
    log(`agents registered and ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    callers = SippProcess.start(
      [
        sipTarget,
        "-sf",
        join(SIPP_SCENARIOS, "load-caller.xml"),
        // The scenario plays "[pcap]": the tone written into sipp's working dir below.
        "-key",
        "pcap",
        "load-tone.pcap",
        "-i",
        "127.0.0.1",
        "-p",
        String(await freeUdpPort()),
        "-mi",
        "127.0.0.1",
        "-mp",
        String(await freeUdpPort(true)),
        "-r",
        String(o.cps),
        "-m",
        String(o.calls),
        "-d",
        String(o.holdMs),
        "-timeout",
        String(Math.ceil((o.calls / o.cps + o.holdMs / 1000) * 2 + 10)),
      ],
      { "load-tone.pcap": tonePcap() },
    );
    await callers.exited(((o.calls / o.cps) * 1000 + o.holdMs) * 2 + 15_000);
    const callerFigures = await callers.stop();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const agentFigures = await agentsUas.stop(5000);
    log(`callers done (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // Every session writes its row when its call ends; give the last ones a moment.
    const db = hotline.server.store.db;
    const rows = await until("every call row ended", 20_000, async () => {
      const r = await db
        .selectFrom("calls")
        .select(["id", "answered_at", "started_at", "outcome", "ended_at"])
        .execute();
      return r.length >= callerFigures.created && r.every((c) => c.ended_at !== null) ? r : undefined;
    }).catch(async () =>
      db.selectFrom("calls").select(["id", "answered_at", "started_at", "outcome", "ended_at"]).execute(),
    );
    // Nothing of a finished call stays behind: no leg of the engine, and every agent is back to
    // READY (no wrap-up in this queue), none stuck in RINGING or TALKING.
    const sw = hotline.server.engine?.switch;
    // Up to 40 s: an INVITE nobody answers ends only with Timer B (64·T1 = 32 s, RFC 3261 §17.1.1.2).
    const legsLeft = await until("every leg ended", 40_000, () =>
      (sw?.liveLegs ?? 0) === 0 ? 0 : undefined,
    ).catch(() => sw?.liveLegs ?? 0);
    const states: Record<string, number> = {};
    for (const id of ids) {
      const st = (await hotline.server.runtime.agentView(id)).state;
      states[st] = (states[st] ?? 0) + 1;
    }
    const outcomes: Record<string, number> = {};
    for (const r of rows) outcomes[r.outcome ?? "null"] = (outcomes[r.outcome ?? "null"] ?? 0) + 1;
    const answeredRows = rows.filter((r) => r.answered_at !== null);
    const completed = rows.filter((r) => r.answered_at !== null && r.outcome === "completed").length;
    const waits = answeredRows.map(
      (r) => (new Date(r.answered_at ?? 0).getTime() - new Date(r.started_at).getTime()) / 1000,
    );
    return {
      placed: callerFigures.created,
      callerSuccessful: callerFigures.successful,
      callerFailed: callerFigures.failed,
      agentSuccessful: agentFigures.successful,
      agentFailed: agentFigures.failed,
      rows: rows.length,
      answered: answeredRows.length,
      completed,
      outcomes,
      legsLeft,
      agentStates: states,
      lost: Math.max(o.calls - completed, o.calls - callerFigures.successful),
      setupP50Ms: percentile(callerFigures.rtt, 0.5),
      setupP99Ms: percentile(callerFigures.rtt, 0.99),
      waitP50S: percentile(waits, 0.5),
      waitP99S: percentile(waits, 0.99),
      cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      wallS: (Date.now() - t0) / 1000,
      callerOutput: callerFigures.output,
      agentOutput: agentFigures.output,
    };
  } finally {
    await callers?.stop(0).catch(() => undefined);
    await agentsUas?.stop(0).catch(() => undefined);
    await h?.close();
    if (o.postgres) psql(`drop schema if exists ${schema} cascade`);
  }
}
