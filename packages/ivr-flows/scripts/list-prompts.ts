// Prints the prompt catalogue as "name<TAB>lang<TAB>text" lines for generate-prompts.sh
// ("-" as text for generated tones).
import { LANGUAGES, promptCatalogue } from "../src/prompts.js";

for (const [name, entry] of Object.entries(promptCatalogue)) {
  for (const lang of LANGUAGES) {
    process.stdout.write(`${name}\t${lang}\t${entry.text ? entry.text[lang] : "-"}\n`);
  }
}
