/**
 * Two stacks joined by an in-memory "wire" (JsSIP's LoopSocket idea): what one transport sends the
 * other receives on the next macrotask, so tests run in fake time and can cut the wire.
 */
import type { Endpoint, Transport, TransportEvents } from "../src/transport/types.js";

export class WireTransport implements Transport {
  readonly protocol = "udp" as const;
  readonly reliable = false;
  peer: WireTransport | undefined;
  /** Set false to drop everything this side sends. */
  up = true;
  sentCount = 0;
  /** Every message this side sent (delivered or not), for assertions. */
  readonly sentLog: Buffer[] = [];
  private events: TransportEvents | undefined;

  constructor(readonly local: { address: string; port: number }) {}

  setHandler(e: TransportEvents): void {
    this.events = e;
  }

  send(data: Buffer, _dest: Endpoint): boolean {
    this.sentCount++;
    this.sentLog.push(data);
    const peer = this.peer;
    if (!this.up || !peer) return true;
    const from: Endpoint = { protocol: "udp", address: this.local.address, port: this.local.port };
    setImmediate(() => peer.events?.message(data, from));
    return true;
  }

  async close(): Promise<void> {}
}

export function wire(): [WireTransport, WireTransport] {
  const a = new WireTransport({ address: "192.0.2.10", port: 5060 });
  const b = new WireTransport({ address: "192.0.2.20", port: 5060 });
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Let queued deliveries and promise continuations run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
