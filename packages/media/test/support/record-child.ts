// Child process for the crash test: records a call whose caller plays 1 kHz and
// whose agent plays 600 Hz, until it is killed. Prints "recording" once started.
import { TypedEmitter } from "../../src/events.js";
import { g711Decode, g711Encode } from "../../src/g711.js";
import { RecordingTap } from "../../src/recorder.js";
import type { RtpPacket } from "../../src/rtp.js";

class ToneLeg extends TypedEmitter<{ rtp: [RtpPacket] }> {
  #k = 0;
  constructor(readonly freq: number) {
    super();
  }
  tick(): void {
    const pcm = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * this.freq * (this.#k * 160 + i)) / 8000)),
    );
    this.emit("rtp", {
      payloadType: 0,
      marker: false,
      sequenceNumber: this.#k,
      timestamp: this.#k * 160,
      ssrc: this.freq,
      payload: g711Encode("pcmu", pcm),
    });
    this.#k++;
  }
  decode(payload: Uint8Array, out?: Int16Array): Int16Array {
    return g711Decode("pcmu", payload, out);
  }
}

const path = process.argv[2];
if (!path) throw new Error("usage: record-child <wav path>");
const caller = new ToneLeg(1000);
const agent = new ToneLeg(600);
new RecordingTap(path, { caller, agent });
setInterval(() => {
  caller.tick();
  agent.tick();
}, 20);
console.log("recording");
