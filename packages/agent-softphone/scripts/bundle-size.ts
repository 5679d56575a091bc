/**
 * Prints the gzipped size of the JavaScript the agent desk loads before it can be used: the
 * entry chunk and every chunk it imports statically (transitively), from Vite's manifest.
 * Lazy pages (supervisor, wall screen with ECharts, admin) are not counted. Exits 1 when the
 * total is over the budget, so a regression fails the build.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export const budgetBytes = 300 * 1024;

export function initialChunks(manifest: Record<string, ManifestChunk>, entryKey: string): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const k of manifest[key]?.imports ?? []) visit(k);
  };
  visit(entryKey);
  return [...seen].map((k) => manifest[k]?.file).filter((f): f is string => typeof f === "string");
}

function main(): void {
  const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
  const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry)?.[0];
  if (!entry) throw new Error("no entry chunk in the Vite manifest");
  let raw = 0;
  let gz = 0;
  for (const file of initialChunks(manifest, entry)) {
    const bytes = readFileSync(join(dist, file));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = gz <= budgetBytes ? "within" : "OVER";
  console.log(
    `agent desk initial JS: ${kb(raw)} raw, ${kb(gz)} gzipped (${verdict} the ${kb(budgetBytes)} budget)`,
  );
  if (gz > budgetBytes) process.exitCode = 1;
}

// Run when executed (the build script), not when a test imports initialChunks.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
