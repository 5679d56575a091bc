import type { Session } from "./types.js";

/**
 * Where the session lives between page loads. The refresh token is kept in sessionStorage (per
 * tab, gone when the tab closes) rather than localStorage, so a shared desk PC does not keep
 * an agent signed in after the browser closes.
 */
export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
  subscribe(listener: (session: Session | null) => void): () => void;
}

export function createSessionStore(
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">,
): SessionStore {
  const key = "hotline12345.session";
  let current: Session | null = null;
  if (storage) {
    try {
      const raw = storage.getItem(key);
      current = raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      current = null;
    }
  }
  const listeners = new Set<(s: Session | null) => void>();
  return {
    get: () => current,
    set(session) {
      current = session;
      if (storage) {
        if (session) storage.setItem(key, JSON.stringify(session));
        else storage.removeItem(key);
      }
      for (const l of listeners) {
        try {
          l(session);
        } catch (err) {
          // A failing listener must not stop the others from hearing about the new session.
          console.error(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
