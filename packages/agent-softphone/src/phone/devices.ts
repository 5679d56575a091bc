/** Microphone access and choice, with a reason the page can explain. */
export type MicProblem = "denied" | "notFound" | "busy" | "insecure";

export interface MicDevice {
  deviceId: string;
  label: string;
}

/** Maps a getUserMedia failure (a DOMException by name, per Media Capture §9.2) to a problem. */
export function micProblemOf(err: unknown): MicProblem {
  const name =
    err instanceof Error || (typeof err === "object" && err !== null && "name" in err)
      ? String((err as { name: unknown }).name)
      : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "notFound";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "denied";
  }
}

/**
 * Asks for the microphone once (labels of devices are hidden until permission is given), then
 * lists the inputs. The probe stream is stopped at once: JsSIP opens its own at answer time.
 */
export async function probeMicrophones(
  media: MediaDevices | undefined = globalThis.navigator?.mediaDevices,
): Promise<{ ok: true; devices: MicDevice[] } | { ok: false; problem: MicProblem }> {
  // mediaDevices is missing outside a secure context (http on a non-localhost host).
  if (!media?.getUserMedia) return { ok: false, problem: "insecure" };
  try {
    const stream = await media.getUserMedia({ audio: true, video: false });
    for (const track of stream.getTracks()) track.stop();
  } catch (err) {
    return { ok: false, problem: micProblemOf(err) };
  }
  const all = await media.enumerateDevices();
  const devices = all
    .filter((d) => d.kind === "audioinput")
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
  if (devices.length === 0) return { ok: false, problem: "notFound" };
  return { ok: true, devices };
}
