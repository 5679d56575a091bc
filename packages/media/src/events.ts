/**
 * A typed event emitter: one event map per emitter (mediasoup enhancedEvents.ts).
 * A throwing listener does not stop the others nor the emitter.
 */
export type EventMap = { [event: string]: unknown[] };
type Listener<A extends unknown[]> = (...args: A) => void;
// Stored type-erased; `on` and `emit` keep the per-event types.
type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<AnyListener>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as unknown as AnyListener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper = (...args: E[K]): void => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.#listeners.get(event)?.delete(listener as unknown as AnyListener);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        l(...args);
      } catch (err) {
        // A faulty listener must not break the packet path; report and go on.
        console.error(`listener for "${String(event)}" threw`, err);
      }
    }
  }
}
