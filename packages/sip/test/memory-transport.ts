/** An in-memory Transport for pure tests: captures what the stack sends, injects what it receives. */
import type { SipMessage } from "../src/message.js";
import { parseMessage } from "../src/parser.js";
import type { Endpoint, Transport, TransportEvents, TransportProtocol } from "../src/transport/types.js";

export class MemoryTransport implements Transport {
  readonly reliable: boolean;
  readonly local = { address: "192.0.2.1", port: 5060 };
  readonly sent: Array<{ msg: SipMessage; dest: Endpoint }> = [];
  /** What was sent but does not parse as a full message (e.g. a 400 to a request missing From). */
  readonly unparsed: Buffer[] = [];
  private events: TransportEvents | undefined;

  constructor(readonly protocol: TransportProtocol = "udp") {
    this.reliable = protocol !== "udp";
  }

  setHandler(e: TransportEvents): void {
    this.events = e;
  }

  send(data: Buffer, dest: Endpoint): boolean {
    try {
      this.sent.push({ msg: parseMessage(data), dest });
    } catch {
      this.unparsed.push(data);
    }
    return true;
  }

  inject(text: string, source: Endpoint): void {
    this.events?.message(Buffer.from(text), source);
  }

  closeConnection(id: string): void {
    this.events?.connectionClosed(id);
  }

  async close(): Promise<void> {}
}
