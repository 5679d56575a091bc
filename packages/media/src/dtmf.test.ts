import { describe, expect, it } from "vitest";
import {
  ALL_DTMF_KEYS,
  type DtmfReport,
  parseTelephoneEvent,
  serializeTelephoneEvent,
  TelephoneEventReceiver,
  telephoneEventPackets,
} from "./dtmf.js";

interface Sent {
  ts: number;
  payload: Uint8Array;
}

/** A press of `key` for `ms` as a sender would emit it: one packet per 20 ms + 3 end packets. */
function press(key: (typeof ALL_DTMF_KEYS)[number], ms: number, ts: number): Sent[] {
  return telephoneEventPackets(key, ms).map((p) => ({ ts, payload: p.payload }));
}

function receive(packets: Sent[], rx = new TelephoneEventReceiver()): DtmfReport[] {
  const out: DtmfReport[] = [];
  let now = 0;
  for (const p of packets) {
    now += 20;
    out.push(...rx.push(p.ts, p.payload, now));
  }
  out.push(...rx.poll(now + 10_000));
  return out;
}

describe("RFC 4733 telephone-event", () => {
  it("payload round-trips and matches the §2.3 layout", () => {
    const b = serializeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
    expect([...b]).toEqual([11, 0x8a, 0x03, 0x20]);
    expect(parseTelephoneEvent(b)).toEqual({ event: 11, end: true, volume: 10, duration: 800 });
  });

  it("sender: marker on the first packet, growing duration, end sent three times", () => {
    const pk = telephoneEventPackets("5", 100);
    expect(pk[0]!.marker).toBe(true);
    expect(pk.slice(1).every((p) => !p.marker)).toBe(true);
    const events = pk.map((p) => parseTelephoneEvent(p.payload));
    expect(events.filter((e) => e.end)).toHaveLength(3);
    expect(events.at(-1)!.duration).toBe(800);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.duration).toBeGreaterThanOrEqual(events[i - 1]!.duration);
  });

  it("one report per press for every key, with its duration, despite the triple end", () => {
    const packets = ALL_DTMF_KEYS.flatMap((k, i) => press(k, 120, 1000 + i * 8000));
    const reports = receive(packets);
    expect(reports.map((r) => r.key)).toEqual([...ALL_DTMF_KEYS]);
    expect(reports.every((r) => r.durationMs === 120 && r.endSeen && r.source === "rfc4733")).toBe(true);
  });

  it("the same key pressed twice is two reports (told apart by timestamp)", () => {
    const reports = receive([...press("1", 80, 160), ...press("1", 80, 4000)]);
    expect(reports.map((r) => r.key)).toEqual(["1", "1"]);
  });

  it("duplicated and reordered packets still give one report", () => {
    const p = press("9", 100, 500);
    const shuffled = [p[0]!, p[2]!, p[1]!, p[1]!, p[3]!, ...p.slice(3), p.at(-1)!, p.at(-1)!];
    const reports = receive(shuffled);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ key: "9", durationMs: 100 });
  });

  it("all end packets lost: reported when the next press starts, with the last duration seen", () => {
    const first = press("4", 100, 100).filter((x) => !parseTelephoneEvent(x.payload).end);
    const reports = receive([...first, ...press("7", 60, 9000)]);
    expect(reports.map((r) => [r.key, r.endSeen])).toEqual([
      ["4", false],
      ["7", true],
    ]);
    expect(reports[0]!.durationMs).toBe(80);
  });

  it("all end packets of the last press lost: reported once after the timeout", () => {
    const rx = new TelephoneEventReceiver(8000, 500);
    const p = press("#", 100, 100).filter((x) => !parseTelephoneEvent(x.payload).end);
    for (const x of p) expect(rx.push(x.ts, x.payload, 0)).toEqual([]);
    expect(rx.poll(400)).toEqual([]);
    expect(rx.poll(600)).toMatchObject([{ key: "#", endSeen: false }]);
    expect(rx.poll(2000)).toEqual([]);
  });

  it("first packets lost (only the end arrives): still one report", () => {
    const p = press("0", 200, 100).slice(-2);
    expect(receive(p)).toMatchObject([{ key: "0", durationMs: 200 }]);
  });
});
