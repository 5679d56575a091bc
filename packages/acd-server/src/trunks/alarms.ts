import { EventEmitter } from "node:events";
import type { ActiveAlarm } from "../events/catalogue.js";

export type { ActiveAlarm };

/**
 * The alarms active now (for the supervisor board: GET /api/alarms). Raising an alarm that is
 * already active, or clearing one that is not, does nothing: listeners hear each change once.
 */
export class AlarmBoard extends EventEmitter<{ raised: [ActiveAlarm]; cleared: [ActiveAlarm] }> {
  readonly #active = new Map<string, ActiveAlarm>();

  constructor(private readonly now: () => Date = () => new Date()) {
    super();
  }

  active(): ActiveAlarm[] {
    return [...this.#active.values()].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  }

  get(id: string): ActiveAlarm | undefined {
    return this.#active.get(id);
  }

  raise(a: Omit<ActiveAlarm, "raisedAt">): ActiveAlarm | undefined {
    if (this.#active.has(a.id)) return undefined;
    const alarm: ActiveAlarm = { ...a, raisedAt: this.now().toISOString() };
    this.#active.set(a.id, alarm);
    this.emit("raised", alarm);
    return alarm;
  }

  clear(id: string, message?: string): ActiveAlarm | undefined {
    const alarm = this.#active.get(id);
    if (!alarm) return undefined;
    this.#active.delete(id);
    const cleared: ActiveAlarm = {
      ...alarm,
      ...(message ? { message } : {}),
      clearedAt: this.now().toISOString(),
    };
    this.emit("cleared", cleared);
    return cleared;
  }
}
