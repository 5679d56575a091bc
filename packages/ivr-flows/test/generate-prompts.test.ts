// Golden corpus: the committed WAVs are exactly what scripts/generate-prompts.sh
// makes from the catalogue's texts — so the script, its settings and the files
// cannot drift apart. A sample of every kind of prompt (sentences in both
// languages, digits, number words, hold music, feature-code confirmations) keeps
// the file well under its time budget on a loaded two-core machine. Needs
// espeak-ng and sox: with CI set their absence fails the test; locally it is
// skipped with a note.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { LANGUAGES, promptCatalogue, promptFile } from "../src/prompts.js";

const SAMPLE = [
  "greeting",
  "english-press-2",
  "survey-question",
  "closed-hours-offer",
  "digit-5",
  "num-20",
  "num-ten-thousand",
  "hold-music",
  "agent-ready",
  "goodbye",
];

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

  it("regenerates committed prompts byte for byte", async () => {
    expect(missing, "espeak-ng and sox are needed").toEqual([]);
    await promisify(execFile)("bash", ["scripts/generate-prompts.sh", ...SAMPLE], {
      cwd: packageDir,
      env: { ...process.env, PROMPTS_OUT: out },
      timeout: 18_000,
    });
    const differ: string[] = [];
    for (const name of SAMPLE) {
      for (const lang of LANGUAGES) {
        const fresh = readFileSync(join(out, lang, `${name}.wav`));
        if (!fresh.equals(readFileSync(promptFile(name, lang)))) differ.push(`${lang}/${name}`);
      }
    }
    expect(differ, "run scripts/generate-prompts.sh and commit the WAVs").toEqual([]);
  }, 20_000);

  it("speaks every Mandarin text in Mandarin (espeak-ng does not fall back to English)", async () => {
    expect(missing, "espeak-ng is needed").toEqual([]);
    // `-x` prints phonemes; "(en)" marks a switch to the English voice, which is how the
    // plain cmn voice of espeak-ng 1.51 mangles its own pinyin ("ni three hao three").
    const english: string[] = [];
    for (const [name, entry] of Object.entries(promptCatalogue)) {
      if (!entry.text || !/\P{ASCII}/u.test(entry.text.zh)) continue; // English-only prompts use the en voice
      const { stdout } = await promisify(execFile)("espeak-ng", [
        "-v",
        "cmn-latn-pinyin",
        "-q",
        "-x",
        entry.text.zh,
      ]);
      if (stdout.includes("(en)")) english.push(name);
    }
    expect(english).toEqual([]);
  }, 20_000);
});
