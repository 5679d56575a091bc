import { MediaError, MediaErrorCode } from "./errors.js";

/**
 * RTP fixed header, RFC 3550 §5.1:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           timestamp                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           synchronization source (SSRC) identifier            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |            contributing source (CSRC) identifiers             |
 *    |                             ....                              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: number[];
  /** Header extension (§5.3.1): 16-bit profile value and the extension words. */
  extension?: { profile: number; data: Uint8Array };
}

export interface RtpPacket extends RtpHeader {
  /** A view into the datagram (no copy); copy it if you keep it past the event. */
  payload: Uint8Array;
}

const RTP_VERSION = 2;

function malformed(why: string): MediaError {
  return new MediaError(MediaErrorCode.Malformed, `RTP: ${why}`);
}

/** Cheap test used to demultiplex RTP/RTCP from STUN/DTLS (RFC 7983 §7: first byte 128..191). */
export function looksLikeRtp(buf: Uint8Array): boolean {
  return buf.length >= 12 && buf[0]! >> 6 === RTP_VERSION;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function parseRtp(buf: Uint8Array): RtpPacket {
  if (buf.length < 12) throw malformed("shorter than the 12-byte fixed header");
  const b0 = buf[0]!;
  // §5.1 "version (V): 2 bits ... The version defined by this specification is two (2)."
  if (b0 >> 6 !== RTP_VERSION) throw malformed(`version ${b0 >> 6}`);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  const b1 = buf[1]!;
  let offset = 12 + cc * 4;
  if (offset > buf.length) throw malformed("CSRC list runs past the packet");
  // Byte reads rather than a DataView: this runs for every packet.
  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: u16(buf, 2),
    timestamp: u32(buf, 4),
    ssrc: u32(buf, 8),
    payload: buf,
  };
  if (cc > 0) {
    packet.csrcs = [];
    for (let i = 0; i < cc; i++) packet.csrcs.push(u32(buf, 12 + i * 4));
  }
  if (hasExtension) {
    // §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words, then the words.
    if (offset + 4 > buf.length) throw malformed("extension header runs past the packet");
    const profile = u16(buf, offset);
    const words = u16(buf, offset + 2);
    const start = offset + 4;
    offset = start + words * 4;
    if (offset > buf.length) throw malformed("extension runs past the packet");
    packet.extension = { profile, data: buf.subarray(start, offset) };
  }
  let end = buf.length;
  if (padding) {
    // §5.1 "The last octet of the padding contains a count of how many padding
    // octets should be ignored, including itself."
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || end - pad < offset) throw malformed("bad padding count");
    end -= pad;
  }
  packet.payload = buf.subarray(offset, end);
  return packet;
}

export function rtpHeaderSize(h: RtpHeader): number {
  return 12 + (h.csrcs?.length ?? 0) * 4 + (h.extension ? 4 + h.extension.data.length : 0);
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Writes the packet into `out` (allocated when omitted) and returns the view of the
 * bytes written. The packet path passes a reused buffer so sending allocates nothing.
 */
export function serializeRtp(p: RtpPacket, out?: Uint8Array): Uint8Array {
  const cc = p.csrcs?.length ?? 0;
  if (cc > 15) throw new MediaError(MediaErrorCode.InvalidArgument, "RTP: more than 15 CSRCs");
  if (p.extension && p.extension.data.length % 4 !== 0)
    throw new MediaError(MediaErrorCode.InvalidArgument, "RTP: extension not a multiple of 32 bits");
  const size = rtpHeaderSize(p) + p.payload.length;
  const buf = out && out.length >= size ? out.subarray(0, size) : new Uint8Array(size);
  buf[0] = (RTP_VERSION << 6) | (p.extension ? 0x10 : 0) | cc;
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  put16(buf, 2, p.sequenceNumber);
  put32(buf, 4, p.timestamp);
  put32(buf, 8, p.ssrc);
  let o = 12;
  for (let i = 0; i < cc; i++, o += 4) put32(buf, o, p.csrcs![i]!);
  if (p.extension) {
    put16(buf, o, p.extension.profile);
    put16(buf, o + 2, p.extension.data.length / 4);
    buf.set(p.extension.data, o + 4);
    o += 4 + p.extension.data.length;
  }
  buf.set(p.payload, o);
  return buf;
}

/** RFC 1982 serial-number comparison for 16-bit sequence numbers: a - b in -32768..32767. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** A random 32-bit SSRC (§8.1: "chosen randomly"). */
export function randomSsrc(): number {
  return (Math.random() * 0x1_0000_0000) >>> 0;
}
