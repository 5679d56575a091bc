import { describe, expect, it } from "vitest";
import { MediaError, MediaErrorCode } from "./errors.js";
import { parseRtp, type RtpPacket, seqDiff, serializeRtp } from "./rtp.js";

describe("RTP packet (RFC 3550 §5.1)", () => {
  it("round-trips header fields, CSRCs and an extension", () => {
    const p: RtpPacket = {
      payloadType: 0,
      marker: true,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      csrcs: [1, 0xffffffff],
      extension: { profile: 0xbede, data: new Uint8Array([1, 2, 3, 4]) },
      payload: new Uint8Array([9, 8, 7]),
    };
    const bytes = serializeRtp(p);
    expect(bytes.length).toBe(12 + 8 + 8 + 3);
    expect(bytes[0]).toBe(0x80 | 0x10 | 2);
    expect(bytes[1]).toBe(0x80);
    const q = parseRtp(bytes);
    expect(q).toMatchObject({ payloadType: 0, marker: true, sequenceNumber: 65535, timestamp: 0xfffffff0 });
    expect(q.ssrc).toBe(0xdeadbeef);
    expect(q.csrcs).toEqual([1, 0xffffffff]);
    expect(q.extension?.profile).toBe(0xbede);
    expect([...q.extension!.data]).toEqual([1, 2, 3, 4]);
    expect([...q.payload]).toEqual([9, 8, 7]);
  });

  it("parses a known wire packet (PCMU, seq 1, ts 160)", () => {
    const wire = new Uint8Array([
      0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0x12, 0x34, 0x56, 0x78, 0xff, 0xfe,
    ]);
    const p = parseRtp(wire);
    expect(p).toMatchObject({
      payloadType: 0,
      marker: false,
      sequenceNumber: 1,
      timestamp: 160,
      ssrc: 0x12345678,
    });
    expect([...p.payload]).toEqual([0xff, 0xfe]);
  });

  it("strips padding and rejects bad packets with a stable code", () => {
    const padded = new Uint8Array([0xa0, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x55, 0, 0, 3]);
    expect([...parseRtp(padded).payload]).toEqual([0x55]);
    const cases = [
      new Uint8Array(11),
      new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // version 1
      new Uint8Array([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // CSRC missing
      new Uint8Array([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), // padding > packet
    ];
    for (const c of cases) {
      try {
        parseRtp(c);
        expect.unreachable("should throw");
      } catch (e) {
        expect(e).toBeInstanceOf(MediaError);
        expect((e as MediaError).code).toBe(MediaErrorCode.Malformed);
      }
    }
  });

  it("serialises into a reused buffer without allocating a new one", () => {
    const out = new Uint8Array(1500);
    const bytes = serializeRtp(
      {
        payloadType: 8,
        marker: false,
        sequenceNumber: 7,
        timestamp: 1,
        ssrc: 2,
        payload: new Uint8Array(160),
      },
      out,
    );
    expect(bytes.buffer).toBe(out.buffer);
    expect(bytes.length).toBe(172);
  });

  it("compares sequence numbers across the wrap", () => {
    expect(seqDiff(1, 65535)).toBe(2);
    expect(seqDiff(65535, 1)).toBe(-2);
    expect(seqDiff(100, 100)).toBe(0);
  });
});
