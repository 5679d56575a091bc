// Golden corpus: the committed WAVs are exactly what scripts/generate-prompts.sh
// makes from the catalogue's texts — so a text edited without regenerating, or a
// hand-replaced file in the wrong format, is caught. Needs espeak-ng and sox:
// with CI set their absence fails the test; locally it is skipped with a note.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { LANGUAGES, promptCatalogue, promptFile } from "../src/prompts.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

function has(bin: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = ["espeak-ng", "sox"].filter((b) => !has(b));
if (missing.length > 0 && !process.env.CI) {
  console.warn(
    `generate-prompts test skipped: ${missing.join(", ")} not installed (set CI to make this fail)`,
  );
}

describe.skipIf(missing.length > 0 && !process.env.CI)("scripts/generate-prompts.sh", () => {
  const out = mkdtempSync(join(tmpdir(), "ivr-prompts-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("regenerates every committed prompt byte for byte", async () => {
    expect(missing, "espeak-ng and sox are needed").toEqual([]);
    await promisify(execFile)("bash", ["scripts/generate-prompts.sh"], {
      cwd: packageDir,
      env: { ...process.env, PROMPTS_OUT: out },
      timeout: 15_000,
    });
    const differ: string[] = [];
    for (const name of Object.keys(promptCatalogue)) {
      for (const lang of LANGUAGES) {
        const fresh = readFileSync(join(out, lang, `${name}.wav`));
        if (!fresh.equals(readFileSync(promptFile(name, lang)))) differ.push(`${lang}/${name}`);
      }
    }
    expect(differ, "run scripts/generate-prompts.sh and commit the WAVs").toEqual([]);
  }, 20_000);
});
