/**
 * The engine port: what a call center asks of its switch, and nothing of how audio and
 * signalling move. Call sessions, the IVR and the ACD are written against this once; the
 * embedded engine (packages/sip + packages/media in process) and the scale-out engine
 * (drachtio + FreeSWITCH) implement it. Its contract tests run against every engine that
 * can be started.
 *
 * Ownership: a Switch owns its legs; a leg owns its dialog and media endpoint; closing the
 * switch hangs up every leg. Every close and hangup is idempotent.
 */

export type DtmfKey =
  | "0"
  | "1"
  | "2"
  | "3"
  | "4"
  | "5"
  | "6"
  | "7"
  | "8"
  | "9"
  | "*"
  | "#"
  | "A"
  | "B"
  | "C"
  | "D";

export type HangupCause =
  | "normal" // a party hung up
  | "busy"
  | "no-answer"
  | "rejected"
  | "unavailable" // nobody registered / no route
  | "failed" // signalling or media failure
  | "shutdown";

export interface LegParty {
  /** The calling or called number (user part), unmasked. */
  number: string;
  displayName?: string;
  /** The full SIP URI. */
  uri: string;
}

export interface LegEvents {
  /** One report per key press (RFC 4733 or in-band, deduplicated). */
  dtmf: { key: DtmfKey; durationMs: number };
  /** The leg is gone; `by` says which side ended it. */
  ended: { cause: HangupCause; by: "remote" | "local" };
  /** The far end put the call on hold (a=sendonly/inactive) or took it off. */
  held: { held: boolean };
}

export interface Playback {
  /** Resolves when the prompts end, are stopped, or a key interrupts (bargeIn). */
  readonly done: Promise<{ key: DtmfKey | null; stopped: boolean }>;
  stop(): Promise<void>;
}

export interface PlayOptions {
  /** Loop the list until stopped (music on hold). */
  loop?: boolean;
  /** A DTMF key stops the playback and is reported in `done`. */
  bargeIn?: boolean;
}

export interface Leg {
  readonly id: string;
  readonly direction: "inbound" | "outbound";
  readonly from: LegParty;
  readonly to: LegParty;
  /** "audio", or "video" for sign-language callers (video passed through untouched). */
  readonly media: "audio" | "video";
  /** Where the leg came from: a trunk id, "webrtc", or "registered" for an agent device. */
  readonly origin: string;
  readonly state: "offered" | "early" | "answered" | "ended";

  /** Inbound: 180 Ringing (or 183 with early media when `earlyMedia`). */
  ring(options?: { earlyMedia?: boolean }): Promise<void>;
  /** Inbound: answer (200 OK with our SDP). Resolves when media can flow (ACK received). */
  answer(): Promise<void>;
  /** Inbound, before answer: refuse with a cause (mapped to a SIP status). */
  reject(cause: Exclude<HangupCause, "normal" | "shutdown">): Promise<void>;
  /** Plays WAV prompt files (8 kHz mono, 16-bit or G.711) to this leg. */
  play(files: readonly string[], options?: PlayOptions): Playback;
  sendDtmf(key: DtmfKey): Promise<void>;
  /**
   * Hold signalling: re-offers the stream `sendonly` (RFC 3264 §8.4), so the phone shows held and
   * stops sending. What the leg hears meanwhile is whatever it is connected to: the session
   * closes its bridge and plays music (see calls/conversation.ts) — hold does not mute it.
   */
  hold(): Promise<void>;
  unhold(): Promise<void>;
  hangup(cause?: HangupCause): Promise<void>;

  on<K extends keyof LegEvents>(event: K, listener: (e: LegEvents[K]) => void): void;
  off<K extends keyof LegEvents>(event: K, listener: (e: LegEvents[K]) => void): void;
}

export interface Bridge {
  /** Stops the audio between the two legs (neither leg is hung up). Idempotent. */
  close(): Promise<void>;
}

export interface Recording {
  readonly path: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Ends the file; resolves with its duration. Idempotent. */
  stop(): Promise<{ seconds: number }>;
}

export type ConferenceRole =
  | "full" // hears everyone, heard by everyone
  | "listen" // hears everyone, heard by nobody (supervisor listen)
  | { whisperTo: Leg }; // hears everyone, heard by that leg only (supervisor whisper)

export interface Conference {
  add(leg: Leg, role?: ConferenceRole): Promise<void>;
  remove(leg: Leg): Promise<void>;
  close(): Promise<void>;
}

export interface OriginateRequest {
  /** An agent's user id (rings their registered devices), a number (via a trunk) or a SIP URI. */
  to: { kind: "agent"; agentId: string } | { kind: "number"; number: string } | { kind: "uri"; uri: string };
  /** The number presented to the called party: the hotline number, never an agent's own. */
  callerNumber: string;
  callerName?: string;
  /** Give up after this long without an answer. */
  timeoutMs: number;
  /** Extra headers (call id of the caller's leg for the softphone, History-Info …). */
  headers?: Record<string, string>;
  /** Cancels the attempt (the caller hung up meanwhile). */
  signal?: AbortSignal;
  /** The leg this one will be bridged or recorded with: engines place their media together. */
  near?: Leg;
}

export type OriginateResult =
  | { ok: true; leg: Leg }
  /** `detail`: why, in words, when the engine knows more than the cause (no trunk up …). */
  | { ok: false; cause: HangupCause; detail?: string };

export interface IncomingCall {
  readonly leg: Leg;
}

export interface SwitchEvents {
  incoming: IncomingCall;
  /** An agent's device registered or went away (for "agent disconnected" handling). */
  registration: { agentId: string; registered: boolean; transport: string };
}

export interface Switch {
  readonly name: "embedded" | "freeswitch";
  originate(request: OriginateRequest): Promise<OriginateResult>;
  bridge(a: Leg, b: Leg): Promise<Bridge>;
  /** Stereo WAV: `caller` on the left channel, `agent` on the right. */
  record(path: string, sides: { caller: Leg; agent: Leg }): Promise<Recording>;
  conference(): Promise<Conference>;
  /** Sends a leg's audio as 16-bit 8 kHz PCM to a WebSocket, first message a JSON header. */
  fork(
    legs: { caller: Leg; agent: Leg },
    url: string,
    header: { callId: string; callerNumber: string },
  ): Promise<{ stop(): Promise<void> }>;
  /** Devices currently registered for an agent. */
  registered(agentId: string): boolean;
  on<K extends keyof SwitchEvents>(event: K, listener: (e: SwitchEvents[K]) => void): void;
  /** Hangs up every leg and releases every port. Idempotent. */
  close(): Promise<void>;
}
