import { type G711Law, g711Encode } from "@hotline12345/media";

/**
 * Writes classic libpcap files of RTP over Ethernet/IPv4/UDP, the format sipp's
 * `play_pcap_audio` replays (it takes the UDP payloads and their timing; sipp
 * readdresses them to the media address of the call).
 */
export interface PcapRtp {
  timeMs: number;
  payloadType: number;
  marker: boolean;
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

function ipChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function writePcap(packets: PcapRtp[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const global = new Uint8Array(24);
  const g = new DataView(global.buffer);
  g.setUint32(0, 0xa1b2c3d4, true);
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setUint32(16, 65535, true);
  g.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  chunks.push(global);
  for (const p of packets) {
    const rtpLen = 12 + p.payload.length;
    const frameLen = 14 + 20 + 8 + rtpLen;
    const rec = new Uint8Array(16 + frameLen);
    const v = new DataView(rec.buffer);
    v.setUint32(0, Math.floor(p.timeMs / 1000) + 1_700_000_000, true);
    v.setUint32(4, Math.round((p.timeMs % 1000) * 1000), true);
    v.setUint32(8, frameLen, true);
    v.setUint32(12, frameLen, true);
    let o = 16;
    rec.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00], o); // Ethernet, IPv4
    o += 14;
    const ip = rec.subarray(o, o + 20);
    ip.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    new DataView(ip.buffer, ip.byteOffset).setUint16(2, 20 + 8 + rtpLen);
    new DataView(ip.buffer, ip.byteOffset).setUint16(10, ipChecksum(ip));
    o += 20;
    v.setUint16(o, 40000);
    v.setUint16(o + 2, 40002);
    v.setUint16(o + 4, 8 + rtpLen);
    o += 8;
    rec[o] = 0x80;
    rec[o + 1] = (p.marker ? 0x80 : 0) | p.payloadType;
    v.setUint16(o + 2, p.seq & 0xffff);
    v.setUint32(o + 4, p.timestamp >>> 0);
    v.setUint32(o + 8, p.ssrc >>> 0);
    rec.set(p.payload, o + 12);
    chunks.push(rec);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A G.711 RTP stream of `pcm` in 20 ms packets. */
export function g711Stream(pcm: Int16Array, law: G711Law, ssrc = 0x5151): PcapRtp[] {
  const out: PcapRtp[] = [];
  for (let k = 0; k * 160 < pcm.length; k++) {
    const frame = new Int16Array(160);
    frame.set(pcm.subarray(k * 160, k * 160 + 160));
    out.push({
      timeMs: k * 20,
      payloadType: law === "pcmu" ? 0 : 8,
      marker: k === 0,
      seq: 1000 + k,
      timestamp: 8000 + k * 160,
      ssrc,
      payload: g711Encode(law, frame),
    });
  }
  return out;
}
