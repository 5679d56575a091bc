/**
 * A tiny typed emitter (after mediasoup's enhancedEvents): one event map type per
 * emitter, and a listener that throws never breaks the emitter or the listeners
 * after it. Errors are handed to `onListenerError`.
 */
export type Listener<T> = (payload: T) => void;

export class TypedEmitter<M extends { [K in keyof M]: unknown }> {
  #listeners = new Map<keyof M, Set<Listener<never>>>();
  #onListenerError: (err: unknown, event: keyof M) => void;

  constructor(onListenerError: (err: unknown, event: keyof M) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof M>(event: K, fn: Listener<M[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn as Listener<never>);
    return () => this.off(event, fn);
  }

  off<K extends keyof M>(event: K, fn: Listener<M[K]>): void {
    this.#listeners.get(event)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<M[K]>)(payload);
      } catch (err) {
        try {
          this.#onListenerError(err, event);
        } catch {
          // an error handler that throws must not break the emitter either
        }
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
