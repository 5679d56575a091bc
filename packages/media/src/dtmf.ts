import { MediaError, MediaErrorCode } from "./errors.js";

/**
 * DTMF: RFC 4733 telephone-event payloads, a receiver that turns a packet stream
 * into one report per key press, and a sender that produces the packet sequence.
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

// RFC 4733 §3.2, Table 7: events 0-9, * = 10, # = 11, A-D = 12-15.
const KEYS: readonly DtmfKey[] = [
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "*",
  "#",
  "A",
  "B",
  "C",
  "D",
];

export const ALL_DTMF_KEYS: readonly DtmfKey[] = KEYS;

export function dtmfKeyToEvent(key: DtmfKey): number {
  return KEYS.indexOf(key);
}
export function dtmfEventToKey(event: number): DtmfKey | undefined {
  return KEYS[event];
}
export function isDtmfKey(s: string): s is DtmfKey {
  return (KEYS as readonly string[]).includes(s);
}

/**
 * RFC 4733 §2.3 payload format:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     event     |E|R| volume    |          duration             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** Power level in -dBm0, 0..63 (§2.3.4). */
  volume: number;
  /** Duration in timestamp units (§2.3.5). */
  duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent {
  if (payload.length < 4)
    throw new MediaError(MediaErrorCode.Malformed, "telephone-event shorter than 4 bytes");
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function serializeTelephoneEvent(e: TelephoneEvent, out: Uint8Array = new Uint8Array(4)): Uint8Array {
  out[0] = e.event & 0xff;
  // §2.3.3: "R: This field is reserved for future use. The sender MUST set it to zero"
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return out;
}

/** One key press, as reported once. */
export interface DtmfReport {
  key: DtmfKey;
  durationMs: number;
  source: "rfc4733" | "inband";
  /** False when the end packets were all lost and the report came from a timeout or a new event. */
  endSeen: boolean;
}

/**
 * Turns received telephone-event packets into one report per key press.
 *
 * - §2.5.2.2: all packets of one event carry the event's start timestamp, so the
 *   timestamp identifies the press; repeated end packets (§2.5.1.4: "the final
 *   packet ... SHOULD be retransmitted twice") and duplicates are dropped by
 *   remembering the timestamps already reported.
 * - If the end packets are lost, the press is reported when a packet for a new
 *   event arrives, or `timeoutMs` after the last packet (`poll`).
 */
export class TelephoneEventReceiver {
  #current: { timestamp: number; key: DtmfKey; duration: number; lastMs: number } | undefined;
  #reported: number[] = [];

  constructor(
    private readonly clockRate = 8000,
    private readonly timeoutMs = 800,
  ) {}

  push(rtpTimestamp: number, payload: Uint8Array, nowMs: number): DtmfReport[] {
    const ev = parseTelephoneEvent(payload);
    const key = dtmfEventToKey(ev.event);
    const out: DtmfReport[] = [];
    if (key === undefined) return out; // non-DTMF events (§3.2 others) are ignored
    if (this.#reported.includes(rtpTimestamp)) return out;
    const cur = this.#current;
    if (cur && cur.timestamp !== rtpTimestamp) {
      out.push(this.#finish(cur, false));
    }
    if (!this.#current) this.#current = { timestamp: rtpTimestamp, key, duration: 0, lastMs: nowMs };
    const c = this.#current;
    // Reordered packets may carry a shorter duration; keep the longest seen.
    c.duration = Math.max(c.duration, ev.duration);
    c.lastMs = nowMs;
    if (ev.end) out.push(this.#finish(c, true));
    return out;
  }

  /** Reports a press whose end packets never came. */
  poll(nowMs: number): DtmfReport[] {
    const c = this.#current;
    if (c && nowMs - c.lastMs >= this.timeoutMs) return [this.#finish(c, false)];
    return [];
  }

  #finish(c: { timestamp: number; key: DtmfKey; duration: number }, endSeen: boolean): DtmfReport {
    this.#current = undefined;
    this.#reported.push(c.timestamp);
    if (this.#reported.length > 16) this.#reported.shift();
    return {
      key: c.key,
      durationMs: Math.round((c.duration * 1000) / this.clockRate),
      source: "rfc4733",
      endSeen,
    };
  }
}

/** The packets of one key press, in sending order (paced by the caller every `packetMs`). */
export interface TelephoneEventPacket {
  marker: boolean;
  /** Offset added to the event's start timestamp: always 0 (§2.5.1.2 same timestamp). */
  payload: Uint8Array;
}

/**
 * §2.5.1: first packet has the marker bit; the duration grows each packet; the
 * final packet has E set and is sent three times in total.
 */
export function telephoneEventPackets(
  key: DtmfKey,
  durationMs: number,
  opts: { clockRate?: number; packetMs?: number; volume?: number } = {},
): TelephoneEventPacket[] {
  const rate = opts.clockRate ?? 8000;
  const step = opts.packetMs ?? 20;
  const volume = opts.volume ?? 10;
  const event = dtmfKeyToEvent(key);
  const total = Math.min(0xffff, Math.round((durationMs * rate) / 1000));
  const perPacket = Math.round((step * rate) / 1000);
  const out: TelephoneEventPacket[] = [];
  for (let d = perPacket; d < total; d += perPacket) {
    out.push({
      marker: out.length === 0,
      payload: serializeTelephoneEvent({ event, end: false, volume, duration: d }),
    });
  }
  for (let i = 0; i < 3; i++) {
    out.push({
      marker: out.length === 0,
      payload: serializeTelephoneEvent({ event, end: true, volume, duration: total }),
    });
  }
  return out;
}
