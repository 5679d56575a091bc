import { useEffect, useRef } from "react";

export type ShortcutAction = "answer" | "hangup" | "hold" | "ready";

/** F2 answer, F4 hang up, F6 hold / retrieve, F8 ready / not ready (shown in tooltips). */
export const shortcutKeys: Readonly<Record<string, ShortcutAction>> = {
  F2: "answer",
  F4: "hangup",
  F6: "hold",
  F8: "ready",
};

export function shortcutOf(e: Pick<KeyboardEvent, "key" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey">) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return undefined;
  return shortcutKeys[e.key];
}

/** Listens on the window while mounted; the handler is read through a ref. */
export function useShortcuts(handler: (action: ShortcutAction) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutOf(e);
      if (!action) return;
      e.preventDefault();
      ref.current(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
