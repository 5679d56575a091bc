import * as sdpTransform from "sdp-transform";
import { describe, expect, it } from "vitest";
import { type MediaError, MediaErrorCode } from "./errors.js";
import { acceptAnswer, answerDirection, buildSdp, createAnswer, type Direction } from "./sdp.js";

const local = { address: "192.0.2.10", port: 20000, codecs: ["PCMU", "PCMA"] as const };

describe("SDP offer/answer (RFC 3264)", () => {
  it("offer lists PCMU, PCMA, telephone-event with ptime, rtcp and direction", () => {
    const sdp = buildSdp({ ...local, direction: "sendrecv" });
    const s = sdpTransform.parse(sdp);
    const m = s.media[0]!;
    expect(m.payloads).toBe("0 8 101");
    expect(m.rtp.map((r) => r.codec)).toEqual(["PCMU", "PCMA", "telephone-event"]);
    expect(m.fmtp[0]).toEqual({ payload: 101, config: "0-16" });
    expect(m.ptime).toBe(20);
    expect(m.direction).toBe("sendrecv");
    expect(m.rtcp?.port).toBe(20001);
    expect(s.connection?.ip).toBe("192.0.2.10");
  });

  it("answer picks the offerer's first common codec and keeps its telephone-event PT", () => {
    const offer = [
      "v=0",
      "o=- 1 1 IN IP4 198.51.100.1",
      "s=-",
      "c=IN IP4 198.51.100.1",
      "t=0 0",
      "m=audio 4000 RTP/AVP 18 8 0 96",
      "a=rtpmap:18 G729/8000",
      "a=rtpmap:96 telephone-event/8000",
      "a=fmtp:96 0-15",
      "a=ptime:30",
      "",
    ].join("\r\n");
    const { sdp, media } = createAnswer(offer, local);
    expect(media).toMatchObject({
      codec: "PCMA",
      payloadType: 8,
      telephoneEventPt: 96,
      remoteAddress: "198.51.100.1",
      remotePort: 4000,
      remoteRtcpPort: 4001,
      ptime: 30,
      direction: "sendrecv",
    });
    const m = sdpTransform.parse(sdp).media[0]!;
    expect(m.payloads).toBe("8 96");
    // Offerer side reads the answer back.
    const back = acceptAnswer(sdp, { ...local, address: "198.51.100.1", port: 4000 });
    expect(back).toMatchObject({
      codec: "PCMA",
      telephoneEventPt: 96,
      remotePort: 20000,
      direction: "sendrecv",
    });
  });

  it("rejects an offer without PCMU/PCMA with NO_COMMON_CODEC", () => {
    const offer = buildSdp({ ...local, codecs: [] }).replace(
      "m=audio 20000 RTP/AVP 101",
      "m=audio 20000 RTP/AVP 18 101",
    );
    try {
      createAnswer(offer, local);
      expect.unreachable();
    } catch (e) {
      expect((e as MediaError).code).toBe(MediaErrorCode.NoCommonCodec);
    }
  });

  it("direction table of §6.1 (hold and retrieve)", () => {
    const cases: [Direction, Direction, Direction][] = [
      ["sendrecv", "sendrecv", "sendrecv"],
      ["sendonly", "sendrecv", "recvonly"],
      ["recvonly", "sendrecv", "sendonly"],
      ["inactive", "sendrecv", "inactive"],
      ["sendrecv", "sendonly", "sendonly"],
      ["sendonly", "sendonly", "inactive"],
      ["sendrecv", "inactive", "inactive"],
    ];
    for (const [offered, wanted, answer] of cases)
      expect(answerDirection(offered, wanted), `${offered}/${wanted}`).toBe(answer);
  });

  it("a hold re-offer (sendonly) is answered recvonly; c=0.0.0.0 counts as not receiving", () => {
    const hold = buildSdp({ ...local, direction: "sendonly", sessionVersion: 2 });
    const { sdp, media } = createAnswer(hold, { ...local, port: 30000 });
    expect(media.direction).toBe("recvonly");
    expect(sdpTransform.parse(sdp).media[0]!.direction).toBe("recvonly");
    const legacy = buildSdp({ ...local, address: "0.0.0.0" });
    expect(createAnswer(legacy, local).media.direction).toBe("recvonly");
  });
});
