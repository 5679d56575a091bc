/**
 * Voicemail for callers nobody could take: either hand the call to an outside voicemail
 * server over SIP, saying whom the caller wanted (RFC 5806 Diversion and RFC 7044
 * History-Info, with the RFC 4458 cause), or record the message here and POST it to the
 * business system. Both are written against the engine port only.
 */
import { readFile } from "node:fs/promises";
import { encodeWav, parseWav, wavSamples } from "@hotline12345/media";
import type { DtmfKey, HangupCause, Leg, Switch } from "../engine/port.js";
import { signature } from "../webhooks/webhooks.js";

/** Why the caller's wanted party did not answer. */
export type VoicemailReason = "no-answer" | "busy" | "unavailable";

/**
 * RFC 4458 §3.1 / RFC 7044 §4.2: the `cause` URI parameter of the retargeted History-Info
 * entry says why the call was diverted: 486 busy, 408 no answer, 480 unavailable.
 */
export const historyInfoCause: Record<VoicemailReason, 486 | 408 | 480> = {
  busy: 486,
  "no-answer": 408,
  unavailable: 480,
};

/** RFC 5806 §3: the diversion-reason tokens for the same three. */
const diversionReason: Record<VoicemailReason, string> = {
  busy: "user-busy",
  "no-answer": "no-answer",
  unavailable: "unavailable",
};

export interface HandToVoicemailOptions {
  /** The voicemail server's SIP URI, e.g. `sip:vm@10.0.0.5:5060`. */
  uri: string;
  /** Whom the caller wanted: an agent id, a queue's number, or the hotline number itself. */
  wanted: string;
  /** The number the caller dialled (the first History-Info entry). */
  hotlineNumber: string;
  /** Our SIP domain, the host part of the `wanted` and hotline URIs. */
  domain: string;
  reason: VoicemailReason;
  /** Give up if the voicemail server has not answered in this long (default 15 s). */
  timeoutMs?: number;
}

export type HandToVoicemailResult =
  | { ok: true; endedBy: "caller" | "voicemail" }
  | { ok: false; cause: HangupCause; detail?: string };

/** Adds a parameter to a SIP URI, before any `?headers` part (RFC 3261 §19.1.1). */
function withUriParam(uri: string, param: string): string {
  const q = uri.indexOf("?");
  return q < 0 ? `${uri};${param}` : `${uri.slice(0, q)};${param}${uri.slice(q)}`;
}

/**
 * The headers saying whom the caller wanted. History-Info (RFC 7044 §5): index 1 is the
 * hotline number the caller dialled; when a particular party was wanted (an agent, another
 * number), 1.1 is that party, reached from 1 by retargeting (`mp`, §4.3 — the hotline maps a
 * service number to a person); the last entry is the voicemail server, its URI with the cause
 * (RFC 4458 §3.1) and `mp` pointing at the entry it replaced. Diversion (RFC 5806 §3): the
 * party that diverted the call — the one wanted — with the reason and a counter of 1.
 */
export function voicemailHeaders(o: Omit<HandToVoicemailOptions, "timeoutMs">): Record<string, string> {
  const dialled = `sip:${o.hotlineNumber}@${o.domain}`;
  const wanted = `sip:${o.wanted}@${o.domain}`;
  const vm = withUriParam(o.uri, `cause=${historyInfoCause[o.reason]}`);
  const entries = [`<${dialled}>;index=1`];
  let last = "1";
  if (o.wanted !== o.hotlineNumber) {
    entries.push(`<${wanted}>;index=1.1;mp=1`);
    last = "1.1";
  }
  entries.push(`<${vm}>;index=${last}.1;mp=${last}`);
  return {
    "History-Info": entries.join(", "),
    Diversion: `<${wanted}>;reason=${diversionReason[o.reason]};counter=1`,
  };
}

/** Resolves when the leg ends (at once if it has). */
function endOf(leg: Leg): Promise<void> {
  if (leg.state === "ended") return Promise.resolve();
  return new Promise((resolve) => leg.on("ended", () => resolve()));
}

/**
 * Hands the caller to an outside voicemail server: calls its URI, presenting the caller's own
 * number (the voicemail box files the message under it) with the headers above, answers the
 * caller if it is not yet, bridges the two until either side hangs up, then hangs up the other.
 * The caller hanging up while the server rings cancels the attempt.
 */
export async function handToVoicemail(
  sw: Switch,
  caller: Leg,
  o: HandToVoicemailOptions,
): Promise<HandToVoicemailResult> {
  if (caller.state === "ended") return { ok: false, cause: "normal", detail: "the caller hung up" };
  const gone = new AbortController();
  const onEnded = () => gone.abort();
  caller.on("ended", onEnded);
  try {
    const r = await sw.originate({
      to: { kind: "uri", uri: o.uri },
      callerNumber: caller.from.number,
      ...(caller.from.displayName ? { callerName: caller.from.displayName } : {}),
      timeoutMs: o.timeoutMs ?? 15_000,
      headers: voicemailHeaders(o),
      signal: gone.signal,
      near: caller,
    });
    if (!r.ok) return r;
    const vm = r.leg;
    if (gone.signal.aborted) {
      await vm.hangup();
      return { ok: false, cause: "normal", detail: "the caller hung up" };
    }
    if (caller.state !== "answered") await caller.answer();
    const bridge = await sw.bridge(caller, vm);
    const endedBy = await Promise.race([
      endOf(caller).then(() => "caller" as const),
      endOf(vm).then(() => "voicemail" as const),
    ]);
    await bridge.close();
    await (endedBy === "caller" ? vm : caller).hangup();
    return { ok: true, endedBy };
  } finally {
    caller.off("ended", onEnded);
  }
}

export interface RecordVoicemailOptions {
  /** Where the WAV is written while recording (stereo, the caller on both channels). */
  path: string;
  /** The message is cut after this long. */
  maxSeconds: number;
  /** Where the message is POSTed: the body is a mono 8 kHz 16-bit WAV (`audio/wav`). */
  postUrl: string;
  /** Sent as headers with the message. */
  callId: string;
  wanted?: string;
  /** Played before recording starts (the "leave a message after the tone" prompt and a beep). */
  prompt?: readonly string[];
  /** A key that ends the message (default `#`). */
  finishKey?: DtmfKey;
  /** Signs the body like webhooks do (X-Hotline-Signature: sha256=HMAC). */
  secret?: string;
  /** Tries to POST before giving up (default 3, waiting 1 s, 2 s between them). */
  attempts?: number;
  backoffMs?: number;
  /** Per try (default 10 s). */
  postTimeoutMs?: number;
}

export interface RecordVoicemailResult {
  /** Length of the message. */
  seconds: number;
  /** How the message ended. */
  endedBy: "caller-hangup" | "finish-key" | "max-length";
  /** The receiver's status to the last try; null when it never answered. */
  status: number | null;
  delivered: boolean;
  attempts: number;
}

/**
 * Records the caller's message and POSTs it. The caller leg is both sides of the switch's
 * stereo recording; the file sent is its left channel, mono. The message ends when the caller
 * hangs up, presses the finish key, or reaches `maxSeconds`; the caller is not hung up here
 * (the flow may thank them first).
 */
export async function recordVoicemail(
  sw: Switch,
  caller: Leg,
  o: RecordVoicemailOptions,
): Promise<RecordVoicemailResult> {
  if (o.prompt?.length && caller.state !== "ended") await caller.play(o.prompt).done;
  const finishKey = o.finishKey ?? "#";
  const recording = await sw.record(o.path, { caller, agent: caller });
  let timer: NodeJS.Timeout | undefined;
  let onKey: ((e: { key: DtmfKey }) => void) | undefined;
  const endedBy = await Promise.race([
    endOf(caller).then(() => "caller-hangup" as const),
    new Promise<"finish-key">((resolve) => {
      onKey = (e) => {
        if (e.key === finishKey) resolve("finish-key");
      };
      caller.on("dtmf", onKey);
    }),
    new Promise<"max-length">((resolve) => {
      timer = setTimeout(() => resolve("max-length"), o.maxSeconds * 1000);
    }),
  ]);
  clearTimeout(timer);
  if (onKey) caller.off("dtmf", onKey);
  const { seconds } = await recording.stop();

  const stereo = wavSamples(parseWav(await readFile(o.path)));
  const mono = new Int16Array(stereo.length >> 1);
  for (let i = 0; i < mono.length; i++) mono[i] = stereo[2 * i] ?? 0;
  const body = encodeWav(mono, 8000, 1);
  const headers: Record<string, string> = {
    "content-type": "audio/wav",
    "x-hotline-call-id": o.callId,
    "x-hotline-caller": caller.from.number,
    "x-hotline-seconds": seconds.toFixed(2),
    "x-hotline-ended-by": endedBy,
    ...(o.wanted ? { "x-hotline-wanted": o.wanted } : {}),
    ...(o.secret ? { "x-hotline-signature": signature(o.secret, body) } : {}),
  };
  const attempts = o.attempts ?? 3;
  let status: number | null = null;
  let tried = 0;
  while (tried < attempts) {
    if (tried > 0) await new Promise((r) => setTimeout(r, (o.backoffMs ?? 1000) * 2 ** (tried - 1)));
    tried += 1;
    try {
      const res = await fetch(o.postUrl, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(o.postTimeoutMs ?? 10_000),
        redirect: "manual",
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status >= 200 && status < 300)
        return { seconds, endedBy, status, delivered: true, attempts: tried };
    } catch {
      status = null;
    }
  }
  return { seconds, endedBy, status, delivered: false, attempts: tried };
}
