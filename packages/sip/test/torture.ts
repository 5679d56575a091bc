/** Loads RFC 4475 fixtures written in the RFC's own notation (§2.2 <hex>, §2.3 <repeat>). */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "rfc4475");

export function expandTorture(text: string): Buffer {
  const repeated = text.replace(/<repeat count=(\d+)>(.*?)<\/repeat>/g, (_, n: string, s: string) =>
    s.repeat(Number(n)),
  );
  const crlf = repeated.replace(/\n/g, "\r\n");
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of crlf.matchAll(/<hex>([0-9A-F]+)<\/hex>/g)) {
    parts.push(Buffer.from(crlf.slice(last, m.index), "latin1"), Buffer.from(m[1]!, "hex"));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(crlf.slice(last), "latin1"));
  return Buffer.concat(parts);
}

export function loadTorture(kind: "valid" | "invalid" | "semantic"): Array<{ name: string; data: Buffer }> {
  const dir = join(ROOT, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sip"))
    .sort()
    .map((f) => ({
      name: f.replace(/\.sip$/, ""),
      data: expandTorture(readFileSync(join(dir, f), "latin1")),
    }));
}
