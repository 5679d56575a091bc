import type { Logger } from "pino";
import type {
  InboundChoice,
  OutboundChoice,
  TrunkClaim,
  TrunkRoutes,
} from "../engine/embedded/trunk-routes.js";
import type { Metrics } from "../metrics.js";
import type { AlarmBoard } from "./alarms.js";
import { OptionsProbeCore, type ProbeOutput, type TrunkHealth } from "./probe.js";
import type { TrunkConfig, TrunkRepository } from "./repository.js";

/** Sends one OPTIONS to the trunk; resolves with the final status (a local 408/503 included). */
export type ProbeSender = (trunk: TrunkConfig) => Promise<number>;

export interface TrunkManagerOptions {
  repository: TrunkRepository;
  alarms: AlarmBoard;
  metrics: Pick<Metrics, "trunkUp">;
  log: Logger;
  /** Consecutive unanswered probes that raise the alarm (default 2). */
  missesToDown?: number;
  /** A probe unanswered this long is a miss (default: the interval, at most 5 s). */
  probeTimeoutMs?: number;
  /** How often the probe cores are ticked (default 250 ms). */
  tickMs?: number;
}

interface TrunkState {
  config: TrunkConfig;
  /** Undefined when the trunk is not probed (interval 0) or disabled. */
  probe: OptionsProbeCore | undefined;
  channels: number;
}

export interface TrunkStatus {
  id: string;
  health: TrunkHealth;
  probed: boolean;
  channels: number;
}

export const alarmId = (trunkId: string) => `trunk-down:${trunkId}`;

/** Where the probe goes: changing any of these starts a fresh probe. */
function probeKey(c: TrunkConfig): string {
  return `${c.enabled}|${c.host}|${c.port}|${c.transport}|${c.optionsIntervalSeconds}`;
}

/**
 * The trunks in force: the admin-edited table, each enabled trunk's OPTIONS probe, its health
 * and its channels in use. Answers the switch's routing questions (TrunkRoutes) and turns
 * probe transitions into alarms. `reload()` after each change applies it without a restart.
 */
export class TrunkManager implements TrunkRoutes {
  readonly #o: TrunkManagerOptions;
  readonly #trunks = new Map<string, TrunkState>();
  #sender: ProbeSender | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(o: TrunkManagerOptions) {
    this.#o = o;
    o.repository.on("changed", () => void this.reload());
  }

  /** Reads the table again; probes of changed trunks restart, removed ones stop (their alarm clears). */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(
      () => this.#load(),
      () => this.#load(),
    );
    return this.#reloading;
  }

  async #load(): Promise<void> {
    if (this.#closed) return;
    let configs: TrunkConfig[];
    try {
      configs = await this.#o.repository.configs();
    } catch (err) {
      this.#o.log.error({ err }, "could not load trunks; keeping the ones in force");
      return;
    }
    const seen = new Set<string>();
    for (const config of configs) {
      seen.add(config.id);
      const old = this.#trunks.get(config.id);
      if (old && probeKey(old.config) === probeKey(config)) {
        old.config = config;
        continue;
      }
      if (old) this.#clearAlarm(config.id, `trunk ${config.id} was reconfigured`);
      this.#trunks.set(config.id, {
        config,
        probe: this.#probeFor(config),
        channels: old?.channels ?? 0,
      });
      this.#o.metrics.trunkUp.set({ trunk: config.id }, 1);
    }
    for (const id of [...this.#trunks.keys()]) {
      if (seen.has(id)) continue;
      this.#trunks.delete(id);
      this.#clearAlarm(id, `trunk ${id} was removed`);
      this.#o.metrics.trunkUp.remove({ trunk: id });
    }
  }

  #probeFor(c: TrunkConfig): OptionsProbeCore | undefined {
    if (!c.enabled || c.optionsIntervalSeconds === 0) return undefined;
    const intervalMs = c.optionsIntervalSeconds * 1000;
    return new OptionsProbeCore({
      intervalMs,
      timeoutMs: this.#o.probeTimeoutMs ?? Math.min(intervalMs, 5000),
      missesToDown: this.#o.missesToDown ?? 2,
    });
  }

  /** Resolves when the reloads asked for so far are done. */
  settled(): Promise<void> {
    return this.#reloading;
  }

  /** Starts probing through `sender` (the SIP stack's OPTIONS adapter). */
  startProbing(sender: ProbeSender): void {
    this.#sender = sender;
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => this.#tick(), this.#o.tickMs ?? 250);
    this.#timer.unref();
    this.#tick();
  }

  #tick(): void {
    const now = Date.now();
    for (const t of this.#trunks.values()) {
      if (t.probe) this.#handle(t, t.probe, t.probe.tick(now));
    }
  }

  #handle(t: TrunkState, probe: OptionsProbeCore, outputs: ProbeOutput[]): void {
    for (const out of outputs) {
      if (out.kind === "send") {
        const sender = this.#sender;
        if (!sender) continue;
        const config = t.config;
        sender(config).then(
          (status) => {
            // The trunk may have been reconfigured meanwhile: answers to an old probe are dropped.
            if (this.#trunks.get(config.id)?.probe === probe)
              this.#handle(t, probe, probe.response(out.seq, status));
          },
          (err: unknown) => {
            this.#o.log.debug({ err, trunk: config.id }, "OPTIONS probe could not be sent");
            if (this.#trunks.get(config.id)?.probe === probe)
              this.#handle(t, probe, probe.response(out.seq, 503));
          },
        );
      } else if (out.kind === "down") {
        const c = t.config;
        this.#o.metrics.trunkUp.set({ trunk: c.id }, 0);
        const message = `trunk ${c.id} (${c.host}:${c.port}/${c.transport}) stopped answering OPTIONS: ${out.misses} probes missed${out.lastStatus ? `, last ${out.lastStatus}` : ""}`;
        this.#o.log.warn(
          { trunk: c.id, misses: out.misses, lastStatus: out.lastStatus, alarm: alarmId(c.id) },
          `alarm raised: ${message}`,
        );
        this.#o.alarms.raise({
          id: alarmId(c.id),
          kind: "trunk-down",
          severity: "critical",
          subject: c.id,
          message,
        });
      } else {
        const c = t.config;
        this.#o.metrics.trunkUp.set({ trunk: c.id }, 1);
        this.#clearAlarm(c.id, `trunk ${c.id} answers OPTIONS again (${out.status})`);
      }
    }
  }

  #clearAlarm(trunkId: string, message: string): void {
    const cleared = this.#o.alarms.clear(alarmId(trunkId), message);
    if (cleared) this.#o.log.info({ trunk: trunkId, alarm: cleared.id }, `alarm cleared: ${message}`);
  }

  status(): TrunkStatus[] {
    return [...this.#trunks.values()].map((t) => ({
      id: t.config.id,
      health: t.probe?.health ?? "up",
      probed: t.probe !== undefined,
      channels: t.channels,
    }));
  }

  #claim(t: TrunkState): TrunkClaim {
    t.channels += 1;
    let released = false;
    return {
      trunkId: t.config.id,
      release: () => {
        if (released) return;
        released = true;
        t.channels -= 1;
      },
    };
  }

  #free(t: TrunkState): boolean {
    return t.config.channelLimit === 0 || t.channels < t.config.channelLimit;
  }

  inbound(address: string): InboundChoice {
    for (const t of this.#trunks.values()) {
      if (!t.config.enabled || !t.config.inboundAddresses.includes(address)) continue;
      if (!this.#free(t)) return { kind: "full", trunkId: t.config.id };
      return { kind: "trunk", claim: this.#claim(t) };
    }
    return { kind: "none" };
  }

  /**
   * The trunk for a call to `number`: enabled, serving the number (longest prefix first), up,
   * below its channel limit; among equals the one with the fewest calls.
   */
  outbound(number: string): OutboundChoice {
    const serving = [...this.#trunks.values()]
      .map((t) => ({ t, match: this.#longestPrefix(t.config, number) }))
      .filter((x): x is { t: TrunkState; match: number } => x.t.config.enabled && x.match >= 0);
    if (serving.length === 0) return { ok: false, reason: "no-trunk-serves-number" };
    const up = serving.filter((x) => (x.t.probe?.health ?? "up") === "up");
    if (up.length === 0) return { ok: false, reason: "all-trunks-down" };
    const free = up.filter((x) => this.#free(x.t));
    const best = free.sort((a, b) => b.match - a.match || a.t.channels - b.t.channels)[0];
    if (!best) return { ok: false, reason: "channel-limit" };
    const c = best.t.config;
    return {
      ok: true,
      trunk: {
        ...this.#claim(best.t),
        host: c.host,
        port: c.port,
        transport: c.transport,
        ...(c.username && c.password ? { credentials: { username: c.username, password: c.password } } : {}),
      },
    };
  }

  /** Length of the longest prefix of the trunk that `number` starts with; -1 when none. */
  #longestPrefix(c: TrunkConfig, number: string): number {
    let best = -1;
    for (const p of c.prefixes) if (number.startsWith(p) && p.length > best) best = p.length;
    return best;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
