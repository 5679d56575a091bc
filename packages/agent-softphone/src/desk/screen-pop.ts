/** Screen-pop settings and URL filling. */
export type PopMode = "side" | "tab";
export type PopWhen = "answer" | "offer";

export interface PopSettings {
  mode: PopMode;
  when: PopWhen;
}

export const defaultPopSettings: PopSettings = { mode: "side", when: "answer" };

export interface PopData {
  callId: string;
  caller: string;
  attached: Readonly<Record<string, string>>;
}

/**
 * Fills a queue's business-system URL template: `{callId}`, `{caller}` and `{attached.<key>}`,
 * each URI-encoded (RFC 3986 §2.1) so attached data cannot break out of its query parameter.
 * Unknown placeholders become empty. A URL with no placeholders is returned as it is (the server
 * may have filled it already).
 */
export function fillTemplate(template: string, data: PopData): string {
  return template.replace(/\{([a-zA-Z0-9_.-]+)\}/g, (_, name: string) => {
    let v: string | undefined;
    if (name === "callId") v = data.callId;
    else if (name === "caller") v = data.caller;
    else if (name.startsWith("attached.")) v = data.attached[name.slice("attached.".length)];
    return encodeURIComponent(v ?? "");
  });
}

/** Only http(s) pages may be popped: a template is admin data, but never run javascript: URLs. */
export function isSafePopUrl(url: string): boolean {
  try {
    const u = new URL(url, "http://localhost");
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * How to pop an offered call: the queue's setting when the server sends one (an admin sets it
 * per queue), the agent's own (or the default) otherwise.
 */
export function popSettingsFor(
  offer: { screenPop?: { mode: "iframe" | "tab"; when: "answered" | "offered" } },
  own: PopSettings,
): PopSettings {
  const q = offer.screenPop;
  if (!q) return own;
  return { mode: q.mode === "tab" ? "tab" : "side", when: q.when === "offered" ? "offer" : "answer" };
}

export function loadPopSettings(storage: Pick<Storage, "getItem"> | undefined): PopSettings {
  try {
    const raw = storage?.getItem("hotline12345.screenPop");
    if (!raw) return defaultPopSettings;
    const v = JSON.parse(raw) as Partial<PopSettings>;
    return {
      mode: v.mode === "tab" ? "tab" : "side",
      when: v.when === "offer" ? "offer" : "answer",
    };
  } catch {
    return defaultPopSettings;
  }
}
