import type { Logger } from "pino";
import type { AlarmRouteDeps } from "../api/routes/alarms.js";
import type { TrunkRouteDeps } from "../api/routes/trunks.js";
import type { EmbeddedSwitch } from "../engine/embedded/embedded-switch.js";
import { type ActiveAlarm, rooms } from "../events/catalogue.js";
import type { EventServer } from "../events/socket.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";
import type { Webhooks } from "../webhooks/webhooks.js";
import { AlarmBoard } from "./alarms.js";
import { TrunkManager, type TrunkManagerOptions } from "./manager.js";
import { sipOptionsSender } from "./options-prober.js";
import { TrunkRepository } from "./repository.js";

export interface TrunkServiceOptions {
  store: Store;
  log: Logger;
  metrics: Pick<Metrics, "trunkUp">;
  /** Alarms go to the business system too, as `trunk.alarm`. */
  webhooks?: Pick<Webhooks, "emit">;
  /** Probe tuning (tests shorten it); defaults in TrunkManager. */
  probe?: Pick<TrunkManagerOptions, "missesToDown" | "probeTimeoutMs" | "tickMs">;
}

/** What `trunk.alarm` webhooks carry: the alarm, and whether it was raised or cleared. */
export interface TrunkAlarmPayload extends ActiveAlarm {
  state: "raised" | "cleared";
}

/**
 * Trunks as the server runs them: the table, the manager (routes, probes, channels) and the
 * alarm board, with each alarm change told four ways — log and `hotline_trunk_up` (the
 * manager), socket.io to supervisors (`alarm.raised` / `alarm.cleared`) and a webhook.
 */
export class TrunkService {
  readonly repository: TrunkRepository;
  readonly alarms: AlarmBoard;
  readonly manager: TrunkManager;
  #io: EventServer | undefined;

  constructor(o: TrunkServiceOptions) {
    this.repository = new TrunkRepository(o.store);
    this.alarms = new AlarmBoard();
    this.manager = new TrunkManager({
      repository: this.repository,
      alarms: this.alarms,
      metrics: o.metrics,
      log: o.log,
      ...o.probe,
    });
    const tell = (state: TrunkAlarmPayload["state"]) => (a: ActiveAlarm) => {
      this.#io?.to(rooms.supervisors).emit(state === "raised" ? "alarm.raised" : "alarm.cleared", a);
      o.webhooks?.emit("trunk.alarm", { ...a, state } satisfies TrunkAlarmPayload);
    };
    this.alarms.on("raised", tell("raised"));
    this.alarms.on("cleared", tell("cleared"));
  }

  /** Loads the table; resolves once the trunks are in force. */
  start(): Promise<void> {
    return this.manager.reload();
  }

  /** What the REST routes need: the table with live status, and the active alarms. */
  routeDeps(): { trunks: TrunkRouteDeps; alarms: AlarmRouteDeps } {
    return {
      trunks: {
        repository: this.repository,
        status: () => this.manager.status(),
        settled: () => this.manager.settled(),
      },
      alarms: { active: () => this.alarms.active() },
    };
  }

  /** Pushes alarm changes to the supervisors' sockets from now on. */
  attachEvents(io: EventServer): void {
    this.#io = io;
  }

  /** The switch takes its inbound and outbound routes from the table; probes go out through its SIP stack. */
  attachSwitch(sw: EmbeddedSwitch, domain: string): void {
    sw.useTrunks(this.manager);
    this.manager.startProbing(sipOptionsSender(sw.sip, domain));
  }

  close(): void {
    this.manager.close();
    this.alarms.removeAllListeners();
  }
}
