/** A small typed emitter: an event map per emitter; a throwing listener does not kill the emitter. */
/** Event name -> listener argument tuple; declare it with `type`, not `interface`. */
type EventMap = Record<string, unknown[]>;
type Fn = (...args: never[]) => void;

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Fn>>();

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as unknown as Fn);
    return this;
  }

  once<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    const w = (...args: E[K]) => {
      this.off(event, w);
      fn(...args);
    };
    return this.on(event, w);
  }

  off<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    this.listeners.get(event)?.delete(fn as unknown as Fn);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const fn of [...set]) {
      try {
        (fn as unknown as (...a: E[K]) => void)(...args);
      } catch (e) {
        queueMicrotask(() => {
          // Surface listener bugs without unwinding the protocol code that emitted.
          process.emitWarning(`sip listener for ${String(event)} threw: ${String(e)}`);
        });
      }
    }
    return true;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
