import { afterEach, describe, expect, it } from "vitest";
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket as WeriftRtpPacket,
} from "werift";
import { Bridge } from "../src/bridge.js";
import { g711Decode, g711Encode } from "../src/g711.js";
import { GoertzelDtmfDetector } from "../src/goertzel.js";
import { Player } from "../src/player.js";
import { PortAllocator } from "../src/port-allocator.js";
import { serializeRtp } from "../src/rtp.js";
import { RtpEndpoint } from "../src/rtp-endpoint.js";
import { bridgeVideo, rewriteHostCandidates, WebRtcEndpoint } from "../src/webrtc-endpoint.js";
import { sine, toneShare, udpPeer, waitFor } from "./helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real werift peer (the other end of the call), offering PCMU (and VP8 when asked). */
async function weriftPeer(video = false) {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
      ...(video
        ? {
            video: [
              new RTCRtpCodecParameters({
                mimeType: "video/VP8",
                clockRate: 90000,
                payloadType: 96,
                rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
              }),
            ],
          }
        : {}),
    },
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceUseIpv6: false,
  });
  cleanups.push(() => pc.close());
  const audio = pc.addTransceiver("audio", { direction: "sendrecv" });
  const videoT: RTCRtpTransceiver | undefined = video
    ? pc.addTransceiver("video", { direction: "sendrecv" })
    : undefined;
  const heardAudio: Buffer[] = [];
  const heardVideo: Buffer[] = [];
  audio.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => heardAudio.push(p.payload)));
  videoT?.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => heardVideo.push(p.payload)));
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((r) => {
    if (pc.iceGatheringState === "complete") r();
    else pc.iceGatheringStateChange.subscribe((s) => s === "complete" && r());
  });
  let seq = 0;
  const sendTone = (freq: number, k: number) =>
    audio.sender.sendRtp(
      new WeriftRtpPacket(
        new RtpHeader({ payloadType: 0, sequenceNumber: seq++, timestamp: k * 160, ssrc: 1 }),
        Buffer.from(g711Encode("pcmu", sine(freq, 160, 9000, k * 160))),
      ),
    );
  const sendVideo = (payload: Buffer, k: number) =>
    videoT?.sender.sendRtp(
      new WeriftRtpPacket(
        new RtpHeader({ payloadType: 96, sequenceNumber: k, timestamp: k * 3000, ssrc: 2 }),
        payload,
      ),
    );
  return { pc, offer: pc.localDescription!.sdp, heardAudio, heardVideo, sendTone, sendVideo };
}

async function connected(ep: WebRtcEndpoint) {
  if (!ep.connected) await new Promise<void>((r) => ep.once("connected", () => r()));
}

describe("WebRtcEndpoint with a werift peer (ICE, DTLS-SRTP, G.711)", () => {
  it("exchanges audio both ways, and bridges to a plain RTP leg", async () => {
    const peer = await weriftPeer();
    const ep = new WebRtcEndpoint({ extraHostAddresses: ["127.0.0.1"] });
    cleanups.push(() => ep.close());
    const answer = await ep.createAnswer(peer.offer);
    expect(answer).toContain("a=fingerprint:sha-256");
    expect(answer).toMatch(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0/);
    await peer.pc.setRemoteDescription({ type: "answer", sdp: answer });
    await Promise.race([
      connected(ep),
      new Promise((_, j) => setTimeout(() => j(new Error("ICE/DTLS timeout")), 8000)),
    ]);
    expect(ep.law).toBe("pcmu");

    // Peer → endpoint: a 1 kHz tone.
    const got: Int16Array[] = [];
    ep.on("rtp", (p) => got.push(ep.decode(p.payload)));
    const timer = setInterval(() => {
      for (let i = 0; i < 1; i++) void peer.sendTone(1000, got.length + i);
    }, 20);
    cleanups.push(() => clearInterval(timer));
    await waitFor(() => got.length >= 10, 5000, "audio from the werift peer");
    expect(toneShare(got[got.length - 1]!, 1000)).toBeGreaterThan(0.9);

    // Endpoint → peer: a 600 Hz prompt.
    const player = new Player(ep, [sine(600, 8000, 9000)]);
    cleanups.push(() => player.stop());
    await waitFor(() => peer.heardAudio.length >= 10, 5000, "audio at the werift peer");
    expect(toneShare(g711Decode("pcmu", peer.heardAudio[8]!), 600)).toBeGreaterThan(0.9);
    player.stop();

    // DTMF towards the browser side goes in-band (werift cannot send RFC 4733).
    const fromKey = peer.heardAudio.length;
    await ep.sendDtmf("5", 200);
    await waitFor(() => peer.heardAudio.length >= fromKey + 12, 5000, "tone frames at the peer");
    const det = new GoertzelDtmfDetector();
    const keys = peer.heardAudio.slice(fromKey).flatMap((f) => det.push(g711Decode("pcmu", f)));
    keys.push(...det.flush());
    expect(keys.map((k) => k.key)).toEqual(["5"]);

    // Bridge WebRTC ⇄ plain RTP (PCMA): a SIP phone's 800 Hz reaches the browser side.
    const ports = new PortAllocator(48000, 48099);
    const rtp = await RtpEndpoint.open({ ports, bindAddress: "127.0.0.1", codecs: ["PCMA"] });
    const phone = await udpPeer();
    cleanups.push(
      () => rtp.close(),
      () => phone.close(),
    );
    rtp.createOffer();
    rtp.acceptAnswer(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${phone.port} RTP/AVP 8\r\n`,
    );
    const bridge = new Bridge(ep, rtp);
    cleanups.push(() => bridge.close());
    const before = peer.heardAudio.length;
    for (let k = 0; k < 20; k++)
      phone.socket.send(
        serializeRtp({
          payloadType: 8,
          marker: false,
          sequenceNumber: k,
          timestamp: k * 160,
          ssrc: 8,
          payload: g711Encode("pcma", sine(800, 160, 9000, k * 160)),
        }),
        rtp.port,
        "127.0.0.1",
      );
    await waitFor(() => peer.heardAudio.length >= before + 15, 5000, "bridged audio at the werift peer");
    expect(toneShare(g711Decode("pcmu", peer.heardAudio[before + 10]!), 800)).toBeGreaterThan(0.9);
    // …and the werift peer's tone reaches the phone as PCMA.
    await waitFor(() => phone.received.length >= 5, 5000, "bridged audio at the phone");
  });

  it("passes video through untouched between two WebRTC legs", async () => {
    const a = await weriftPeer(true);
    const b = await weriftPeer(true);
    const ea = new WebRtcEndpoint({ extraHostAddresses: ["127.0.0.1"], video: true });
    const eb = new WebRtcEndpoint({ extraHostAddresses: ["127.0.0.1"], video: true });
    cleanups.push(
      () => ea.close(),
      () => eb.close(),
    );
    await a.pc.setRemoteDescription({ type: "answer", sdp: await ea.createAnswer(a.offer) });
    await b.pc.setRemoteDescription({ type: "answer", sdp: await eb.createAnswer(b.offer) });
    await Promise.all([connected(ea), connected(eb)]);
    const unlink = bridgeVideo(ea, eb);
    cleanups.push(unlink);
    const frame = (k: number) => Buffer.from([0x90, 0x80, k & 0x7f, 0x9d, 0x01, 0x2a, k, 1, 2, 3]);
    let k = 0;
    const timer = setInterval(() => void a.sendVideo(frame(k), k++), 30);
    cleanups.push(() => clearInterval(timer));
    await waitFor(() => b.heardVideo.length >= 5, 8000, "video at the other peer");
    const last = b.heardVideo[b.heardVideo.length - 1]!;
    expect([...last.subarray(0, 2)]).toEqual([0x90, 0x80]);
    expect(last.length).toBe(10);
  });

  it("advertises a configured public address in host candidates", () => {
    const sdp =
      "a=candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host\r\na=candidate:2 1 udp 1694498815 1.2.3.4 50000 typ srflx raddr 10.0.0.5 rport 50000";
    const out = rewriteHostCandidates(sdp, "203.0.113.7");
    expect(out).toContain("203.0.113.7 50000 typ host");
    expect(out).toContain("1.2.3.4 50000 typ srflx");
  });
});
