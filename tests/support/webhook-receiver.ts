/** A local HTTP server standing in for the 12345 business system's webhook endpoint. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  event: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: { id: string; event: string; at: string; data: Record<string, unknown> };
  /** X-Hotline-Signature matched the HMAC-SHA256 of the raw body with the secret. */
  signed: boolean;
}

export class WebhookReceiver {
  readonly received: Received[] = [];

  private constructor(
    private readonly server: Server,
    readonly secret: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    let self: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
        const got = Buffer.from(String(req.headers["x-hotline-signature"] ?? ""));
        const signed = got.length === expected.length && timingSafeEqual(got, expected);
        const body = JSON.parse(raw) as Received["body"];
        self?.received.push({ event: body.event, headers: req.headers, raw, body, signed });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new WebhookReceiver(server, secret);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  of(event: string): Received[] {
    return this.received.filter((r) => r.event === event);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
