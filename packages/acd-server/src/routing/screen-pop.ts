import type { Role, ScreenPopMode, ScreenPopWhen } from "../store/tables.js";
import { numberFor } from "./mask.js";

/** What the desk gets with an offered call: the filled page address and how to open it. */
export interface ScreenPop {
  url: string;
  mode: ScreenPopMode;
  when: ScreenPopWhen;
}

export interface ScreenPopValues {
  callId: string;
  /** The caller's number, whole; masked here for a role that must not see it. */
  caller: string;
  /** Attached call data (IVR choices, the business system's answers …). */
  data: Readonly<Record<string, string>>;
  /** Whose desk the page opens on; the number is masked as for that role (routing/mask.ts). */
  role: Role;
}

/**
 * Fills a queue's business-system URL template: `{callId}`, `{caller}` and `{data.<key>}`
 * (`{attached.<key>}` is read the same, the name the desk used first). Each value is
 * percent-encoded as a URI component (RFC 3986 §2.1), so attached data cannot end its query
 * parameter or add another; a placeholder with no value becomes empty. Pure.
 */
export function fillTemplate(template: string, v: ScreenPopValues): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_.-]{0,63})\}/g, (_, name: string) => {
    let value: string | undefined;
    if (name === "callId") value = v.callId;
    else if (name === "caller") value = numberFor(v.role, v.caller);
    else {
      const key = /^(?:data|attached)\.(.+)$/.exec(name)?.[1];
      if (key !== undefined && Object.hasOwn(v.data, key)) value = v.data[key];
    }
    return encodeURIComponent(value ?? "");
  });
}

/**
 * The filled screen pop for one desk, or undefined when the queue has none or the template does
 * not give an http(s) page (never a javascript: or data: URL into an agent's browser).
 */
export function screenPopFor(
  queue: { url: string | null; mode: ScreenPopMode; when: ScreenPopWhen },
  v: ScreenPopValues,
): ScreenPop | undefined {
  if (!queue.url) return undefined;
  const url = fillTemplate(queue.url, v);
  if (!/^https?:\/\//i.test(url)) return undefined;
  return { url, mode: queue.mode, when: queue.when };
}
